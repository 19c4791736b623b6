import { maskSecrets } from '../engine/secrets.ts';
import type { EventSink, StampedEvent } from './events.ts';
import { groupThousands } from '../core/numbers.ts';

const num = groupThousands;
const secs = (s: number): string => `${s.toFixed(s < 10 ? 2 : 1)}s`;

function sampleTable(rows: Record<string, unknown>[]): string {
  return rows.map((r) => '        ' + Object.entries(r).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('  ')).join('\n');
}

/** Human progress: one line per model and test as they finish, a summary at the end. */
export function consoleSink(write: (text: string) => void = (t) => process.stdout.write(t)): EventSink {
  const out = (text: string): void => write(maskSecrets(text) + '\n');
  return {
    emit(e: StampedEvent) {
      switch (e.event) {
        case 'run_start':
          out(`strata ${e.command} — ${e.models} models, ${e.tests} tests on ${e.target}${e.batch_id ? ` — batch ${e.batch_id}` : ''}`);
          break;
        case 'migrate_end':
          if (e.adopted.length > 0) out(`migrations: none run — ${e.adopted.length > 1 ? 'sources' : 'source'} ${e.adopted.join(', ')} already ${e.adopted.length > 1 ? 'exist' : 'exists'} here, made outside strata's migrations (the owner's schema): read as it is`);
          else out(e.applied.length ? `migrations applied: ${e.applied.join(', ')} (${secs(e.duration_s)})` : 'migrations: up to date');
          break;
        case 'seed_end':
          out(`seed ${e.seed.padEnd(20)} ${e.status === 'loaded' ? `${num(e.rows)} rows into ${e.relation} in ${secs(e.duration_s)}` : `unchanged (${num(e.rows)} rows)`}`);
          break;
        case 'model_start':
          break;
        case 'model_end': {
          const head = `${String(e.index).padStart(String(e.total).length)} of ${e.total} `;
          const what = `${e.materialized.padEnd(11)} ${e.relation}`;
          if (e.status === 'success') {
            const rows = e.rows === null ? '' : `${num(e.rows)} rows${e.merged !== null ? ` (${num(e.merged)} merged)` : ''} `;
            out(`${head}OK    ${what} … ${rows}in ${secs(e.duration_s)}${e.note ? ` (${e.note})` : ''}`);
          } else if (e.status === 'error') {
            out(`${head}ERROR ${what} in ${secs(e.duration_s)}\n        ${e.error?.replace(/\n/g, '\n        ')}`);
          } else out(`${head}SKIP  ${what} (upstream ${e.skipped_because} failed)`);
          break;
        }
        case 'test_end': {
          const label = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', error: 'ERROR', skipped: 'SKIP' }[e.status];
          const extra = e.failures > 0 ? ` — ${num(e.failures)} failing row${e.failures === 1 ? '' : 's'}${e.audit_relation ? ` in ${e.audit_relation}` : ''}` : '';
          out(`      ${label.padEnd(5)} ${e.test}${extra}${e.error ? `: ${e.error}` : ''}${e.reused ? ` (not run: ${e.reused})` : ''}${e.proven_by ? ` (proven by unique index ${e.proven_by}, not scanned)` : ''}`);
          if (e.sample && e.sample.length > 0 && e.status !== 'pass') out(sampleTable(e.sample));
          break;
        }
        case 'unit_test_end': {
          out(`      ${{ pass: 'PASS ', fail: 'FAIL ', error: 'ERROR' }[e.status]} unit ${e.test} (${e.model}) in ${secs(e.duration_s)}${e.error ? `: ${e.error}` : ''}`);
          // A diff: - expected but not produced, + produced but not expected.
          for (const r of e.missing) out(`        - ${Object.entries(r).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('  ')}`);
          for (const r of e.unexpected) out(`        + ${Object.entries(r).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('  ')}`);
          break;
        }
        case 'reuse':
          out(`reusing ${e.reused} of ${e.models} models from batch ${e.from}: unchanged SQL, config and inputs (${e.tests_not_rerun} tests of theirs ran there on the same tables and are not run again)`);
          break;
        case 'publish':
          out(`published batch ${e.batch_id}: ${e.layers.join(', ')} (${e.models} relations) in ${secs(e.duration_s)}`);
          break;
        case 'not_published':
          out(`NOT published: ${e.reason}. The published layers are unchanged.`);
          break;
        case 'rollback':
          out(`rolled back from batch ${e.from} to ${e.to}`);
          break;
        case 'grants':
          out(`grants applied for ${e.roles.join(', ') || 'no roles'} (${e.statements} statements, ${secs(e.duration_s)})`);
          break;
        case 'export_end':
          out(`exported ${e.layer}: ${e.tables} tables, ${num(e.rows)} rows, ${(e.bytes / 2 ** 20).toFixed(1)} MB to ${e.path} in ${secs(e.duration_s)}`);
          break;
        case 'warning':
          out(`warning: ${e.message}`);
          break;
        case 'error':
          out(`error: ${e.message}`);
          break;
        case 'run_end': {
          const s = e.summary;
          const parts = [
            `${s.models_ok ?? 0} models OK`,
            s.models_error ? `${s.models_error} failed` : '',
            s.models_skipped ? `${s.models_skipped} skipped` : '',
            s.tests_total ? `${s.tests_pass ?? 0}/${s.tests_total} tests passed` : '',
            s.tests_fail ? `${s.tests_fail} failed` : '',
            s.tests_warn ? `${s.tests_warn} warned` : '',
          ].filter(Boolean);
          out(`${e.status === 'success' ? 'Done' : 'FAILED'} in ${secs(e.duration_s)}: ${parts.join(', ')}${e.published ? '' : e.status === 'success' ? '' : ' — nothing published'}`);
          break;
        }
      }
    },
  };
}
