import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../engine/engine.ts';
import { errorMessage } from '../core/errors.ts';
import { maskSecrets } from '../engine/secrets.ts';
import { listBatches as listLakeBatches } from '../lake/batches.ts';
import { migrationState } from '../migrations/migrate.ts';
import type { Project } from '../project/types.ts';
import { sourceContractProblems } from '../sources/contracts.ts';

export type CheckStatus = 'ok' | 'degraded' | 'down';

export interface HealthCheck {
  name: string;
  status: CheckStatus;
  /** One line a person reads at 3 a.m. */
  detail: string;
}

/** The KPIs of the operations documents, as numbers (null when unknown). */
export interface Kpis {
  db_connectivity: 0 | 1;
  db_latency_seconds: number | null;
  pipeline_success: 0 | 1 | null;
  pipeline_latency_seconds: number | null;
  gold_freshness_seconds: number | null;
  last_run_timestamp_seconds: number | null;
  tests_failed: number | null;
  lake_active_complete: 0 | 1 | null;
  migrations_pending: number | null;
}

export interface HealthReport {
  status: 'healthy' | 'degraded' | 'down';
  target: string;
  checks: HealthCheck[];
  kpis: Kpis;
  batchId: string | null;
  models: { model: string; rows: number | null; seconds: number | null }[];
}

interface LastRunMetrics {
  batch_id: string | null;
  pipeline_success: 0 | 1;
  pipeline_latency: number;
  finished_at: string;
  error?: string;
  models?: { rows?: Record<string, number | null>; seconds?: Record<string, number> };
  tests?: { fail?: number };
}

const ago = (seconds: number): string =>
  seconds < 120 ? `${Math.round(seconds)}s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${(seconds / 3600).toFixed(1)} h`;

function readLastRun(projectDir: string): LastRunMetrics | null {
  const file = join(projectDir, 'docs', 'last_run_metrics.json');
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as LastRunMetrics;
}

/**
 * Everything `health` and `metrics` report, gathered once: connectivity (with latency),
 * the last run, gold freshness, the lake's active batch and pending migrations.
 * `engine` is null when the database could not be opened; `openError` says why.
 */
export async function collectHealth(
  project: Project,
  target: string,
  engine: Engine | null,
  openError: string | null,
  now = new Date(),
): Promise<HealthReport> {
  const cfg = project.config;
  const checks: HealthCheck[] = [];
  const kpis: Kpis = {
    db_connectivity: 0, db_latency_seconds: null, pipeline_success: null, pipeline_latency_seconds: null,
    gold_freshness_seconds: null, last_run_timestamp_seconds: null, tests_failed: null, lake_active_complete: null, migrations_pending: null,
  };
  let batchId: string | null = null;

  if (engine) {
    try {
      const t = performance.now();
      await engine.query('select 1');
      kpis.db_latency_seconds = Math.round(performance.now() - t) / 1000;
      kpis.db_connectivity = 1;
      checks.push({ name: 'db_connectivity', status: 'ok', detail: `select 1 in ${Math.round(kpis.db_latency_seconds * 1000)} ms on ${target}` });
    } catch (err) {
      openError = errorMessage(err);
    }
  }
  if (kpis.db_connectivity === 0) {
    checks.push({ name: 'db_connectivity', status: 'down', detail: maskSecrets(`cannot reach ${target}: ${openError ?? 'unknown error'}`) });
  }

  const last = readLastRun(project.dir);
  if (!last) {
    checks.push({ name: 'last_run', status: 'degraded', detail: 'no run recorded yet (docs/last_run_metrics.json is missing): run `strata build`' });
  } else {
    kpis.pipeline_success = last.pipeline_success;
    kpis.pipeline_latency_seconds = last.pipeline_latency;
    kpis.last_run_timestamp_seconds = Math.round(Date.parse(last.finished_at) / 1000);
    kpis.tests_failed = last.tests?.fail ?? 0;
    const slow = last.pipeline_latency > cfg.health.pipelineLatencySeconds;
    const status: CheckStatus = last.pipeline_success === 1 && !slow ? 'ok' : 'degraded';
    const what = last.pipeline_success === 1 ? 'succeeded' : `FAILED${last.error ? ` (${last.error.split('\n')[0]})` : ''}`;
    checks.push({
      name: 'last_run',
      status,
      detail: `batch ${last.batch_id ?? '?'} ${what} in ${last.pipeline_latency}s${slow ? ` — over the ${cfg.health.pipelineLatencySeconds}s latency target` : ''}, ${ago((now.getTime() - Date.parse(last.finished_at)) / 1000)} ago`,
    });
  }

  if (engine && kpis.db_connectivity === 1) {
    const { rows } = await engine.query<{ batch_id: string; published_at: Date }>(
      `select b.batch_id, b.published_at from strata.current_batch c join strata.batches b using (batch_id)`,
    );
    const current = rows[0];
    const limit = cfg.health.goldFreshnessHours * 3600;
    if (!current) {
      checks.push({ name: 'gold_freshness', status: 'degraded', detail: 'nothing has been published yet' });
    } else {
      batchId = current.batch_id;
      const age = (now.getTime() - new Date(current.published_at).getTime()) / 1000;
      kpis.gold_freshness_seconds = Math.round(age);
      checks.push({
        name: 'gold_freshness',
        status: age <= limit ? 'ok' : 'degraded',
        detail: `gold published ${ago(age)} ago (batch ${current.batch_id}); threshold ${cfg.health.goldFreshnessHours} h${age > limit ? ' — STALE' : ''}`,
      });
    }
    const contract = await sourceContractProblems(engine, project).catch((err: unknown) => [`cannot check: ${errorMessage(err)}`]);
    checks.push({
      name: 'source_contracts',
      status: contract.length === 0 ? 'ok' : 'degraded',
      detail: contract.length === 0
        ? `${project.config.sources.reduce((n, s) => n + Object.keys(s.columns ?? {}).length, 0)} source tables keep their declared columns`
        : contract.join('; '),
    });
    const migrations = await migrationState(engine);
    const onDisk = existsSync(project.migrationsDir) ? readdirSync(project.migrationsDir).filter((f) => f.endsWith('.sql')).length : 0;
    // postgres-migrations records its own bootstrap as migration 0.
    const applied = Math.max(0, migrations.applied - 1);
    kpis.migrations_pending = Math.max(0, onDisk - applied);
    checks.push({
      name: 'migrations',
      status: kpis.migrations_pending === 0 ? 'ok' : 'degraded',
      detail: kpis.migrations_pending === 0 ? `${applied} applied${migrations.last ? `, last ${migrations.last}` : ''}` : `${kpis.migrations_pending} pending: run \`strata migrate\``,
    });
  }

  const lakeDir = join(project.dir, cfg.lake.path);
  for (const layer of cfg.lake.layers) {
    const batches = existsSync(join(lakeDir, layer)) ? await listLakeBatches(lakeDir, layer, { now }) : [];
    const active = batches.find((b) => b.active);
    if (!active) {
      kpis.lake_active_complete = 0;
      checks.push({ name: `lake_${layer}`, status: 'degraded', detail: `no active ${layer} batch in ${lakeDir}: run \`strata export\`` });
      continue;
    }
    const missing = (active.manifest?.tables ?? []).filter((t) => {
      const file = join(active.dir, t.file);
      return !existsSync(file) || statSync(file).size !== t.bytes;
    });
    const ok = active.complete && missing.length === 0;
    kpis.lake_active_complete = ok && kpis.lake_active_complete !== 0 ? 1 : 0;
    checks.push({
      name: `lake_${layer}`,
      status: ok ? 'ok' : 'degraded',
      detail: ok
        ? `active batch ${active.id}: ${active.manifest!.tables.length} tables, ${(active.sizeBytes / 2 ** 20).toFixed(1)} MB`
        : `active batch ${active.id} is damaged: ${active.problem ?? `missing or resized: ${missing.map((t) => t.file).join(', ')}`} — run \`strata lake verify\``,
    });
  }

  const models = last
    ? Object.entries(last.models?.rows ?? {}).map(([model, rows]) => ({ model, rows, seconds: last.models?.seconds?.[model] ?? null }))
    : [];
  const status = checks.some((c) => c.status === 'down') ? 'down' : checks.some((c) => c.status === 'degraded') ? 'degraded' : 'healthy';
  return { status, target, checks, kpis, batchId, models };
}

/** A table for people. */
export function formatHealth(report: HealthReport): string {
  const mark = { ok: 'OK  ', degraded: 'WARN', down: 'DOWN' };
  const width = Math.max(...report.checks.map((c) => c.name.length));
  return [
    `strata health: ${report.status.toUpperCase()} (${report.target})`,
    ...report.checks.map((c) => `  ${mark[c.status]}  ${c.name.padEnd(width)}  ${c.detail}`),
  ].join('\n');
}
