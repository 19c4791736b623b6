/** export and the lake commands: list, rollback, prune, verify, restore. */
import type { Command } from 'commander';
import { ExitCode } from '../core/errors.ts';
import { act, commonOptions, print } from './context.ts';
import { flag } from './options.ts';

/** Loaded when a lake command runs: the parquet and Arrow libraries are not needed to start. */
const lakeApi = () => import('../api/lake.ts');

export function registerLakeCommands(program: Command): void {
  program
    .command('export')
    .description('write the published batch (or --batch-id) of the lake layers to data/<layer>/batch=<id>/ as parquet')
    .option('--batch-id <id>', 'a batch still kept in the database (default: the published one)', flag.batchId)
    .option('--layers <list>', 'comma-separated layers (default: lake.layers in project.yaml)', flag.list)
    .option('-s, --select <models>', 'comma-separated model names', flag.list)
    .option('--replace', 're-export a batch already in the lake (e.g. after `lake verify` found it damaged)')
    .action(act(async (o: { batchId?: string; layers?: string[]; select?: string[]; replace?: boolean }) => {
      const c = commonOptions(program);
      const results = await (await lakeApi()).exportCommand({ ...c, ...o });
      if (c.json) print(true, results.map((r) => ({ layer: r.layer, batchId: r.batchId, dir: r.dir, activated: r.activated, tables: r.manifest.tables })), () => '');
      return ExitCode.ok;
    }));

  const lake = program.command('lake').description('the parquet lake: list, rollback, prune, verify, restore');
  const mb = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MB`;
  const age = (ms: number): string => (ms < 3_600_000 ? `${Math.round(ms / 60_000)} min` : ms < 172_800_000 ? `${(ms / 3_600_000).toFixed(1)} h` : `${Math.round(ms / 86_400_000)} d`);

  lake
    .command('list')
    .description('batches per layer: size, rows, which is active, age, completeness')
    .option('--layer <layer>', 'one layer only')
    .action(act(async (o: { layer?: string }) => {
      const c = commonOptions(program);
      const layers = await (await lakeApi()).lakeList({ ...c, ...o });
      print(c.json, layers.map((l) => ({ layer: l.layer, batches: l.batches.map(({ manifest: _m, ...b }) => b) })), () =>
        layers
          .map((l) =>
            [`${l.layer}:`, ...(l.batches.length ? l.batches : []).map((b) =>
              `  ${b.active ? '*' : ' '} ${b.id.padEnd(28)} ${(b.complete ? 'complete' : `INCOMPLETE (${b.problem ?? 'no manifest'})`).padEnd(12)} ${mb(b.sizeBytes).padStart(9)} ${String(Object.values(b.rows).reduce((a, n) => a + n, 0)).padStart(10)} rows  ${age(b.ageMs)} old`,
            ), l.batches.length ? '' : '  (no batches)'].filter(Boolean).join('\n'),
          )
          .join('\n'),
      );
      return ExitCode.ok;
    }));

  lake
    .command('rollback')
    .description('publish an earlier complete lake batch everywhere: every lake layer and the database (kept schemas, else restored from the lake)')
    .option('--to <batch-id>', 'the batch to publish (default: the one built before the active one)', flag.batchId)
    .addHelpText('after', '\nExamples:\n  strata lake rollback\n  strata lake rollback --to 20261122T070226Z-3f9a1c')
    .action(act(async (o: { to?: string }) => {
      const c = commonOptions(program);
      const results = await (await lakeApi()).lakeRollback({ ...c, ...o });
      print(c.json, results, () => results.map((r) => `${r.layer}: active ${r.from ?? '(none)'} → ${r.to} (database too)`).join('\n'));
      return ExitCode.ok;
    }));

  lake
    .command('prune')
    .description('delete batches built more than lake.retention_days ago (never the active one), optionally archiving each first')
    .option('--dry-run', 'only say what would be deleted')
    .option('--archive <dir>', 'copy each batch (parquet and manifest, verified) to <dir>/<layer>/batch=<id>/ before deleting it')
    .option('--layer <layer>', 'one layer only')
    .addHelpText('after', '\nExamples:\n  strata lake prune --dry-run\n  strata lake prune --archive /mnt/archive/strata')
    .action(act(async (o: { dryRun?: boolean; layer?: string; archive?: string }) => {
      const c = commonOptions(program);
      const results = await (await lakeApi()).lakePrune({ ...c, ...(o.dryRun ? { dryRun: true } : {}), ...(o.layer ? { layer: o.layer } : {}), ...(o.archive ? { archiveDir: o.archive } : {}) });
      print(c.json, results.map((r) => ({ layer: r.layer, dryRun: r.result.dryRun, deleted: r.result.deleted.map((b) => b.id), archived: r.result.archived, kept: r.result.kept.map((b) => b.id), freedBytes: r.result.freedBytes })), () =>
        results.map((r) => `${r.layer}: ${r.result.dryRun ? 'would delete' : 'deleted'} ${r.result.deleted.map((b) => b.id).join(', ') || 'nothing'} (${mb(r.result.freedBytes)})${r.result.archived.length ? `, archived to ${r.result.archived.join(', ')}` : ''}; kept ${r.result.kept.length}`).join('\n'),
      );
      return ExitCode.ok;
    }));

  lake
    .command('verify')
    .description('check every file of a batch (default: the active one) against its manifest: presence, size, sha256, row count')
    .option('--batch-id <id>', 'the batch to check', flag.batchId)
    .option('--layer <layer>', 'one layer only')
    .action(act(async (o: { batchId?: string; layer?: string }) => {
      const c = commonOptions(program);
      const results = await (await lakeApi()).lakeVerify({ ...c, ...o });
      print(c.json, results, () =>
        results.map((r) => (r.ok ? `${r.layer} batch ${r.batchId}: OK (${r.verified.length} files)` : [`${r.layer} batch ${r.batchId}: DAMAGED`, ...r.damaged.map((d) => `  ${d.file}: ${d.reason}`)].join('\n'))).join('\n'),
      );
      return results.every((r) => r.ok) ? ExitCode.ok : ExitCode.failed;
    }));

  lake
    .command('restore')
    .description("load a lake batch back into the database and publish it (the recovery path when the database is lost)")
    .option('--batch-id <id>', 'the batch (default: the active one)', flag.batchId)
    .action(act(async (o: { batchId?: string }) => {
      const c = commonOptions(program);
      const results = await (await lakeApi()).lakeRestore({ ...c, ...o });
      print(c.json, results, () => results.map((r) => `restored batch ${r.batchId}: ${r.tables.map((t) => `${t.name} (${t.rows} rows)`).join(', ')}`).join('\n'));
      return ExitCode.ok;
    }));
}
