import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine, Queryable } from '../engine/engine.ts';
import { errorMessage, StrataError } from '../core/errors.ts';
import { readArtifact, type LastRunMetrics } from '../core/artifacts.ts';
import { maskSecrets } from '../engine/secrets.ts';
import { readRunCounters, type RunCounter } from '../batch/run-counters.ts';
import { listBatches as listLakeBatches, type BatchInfo as LakeBatch } from '../lake/batches.ts';
import { lakeIdOf } from '../lake/layout.ts';
import { migrationState, sourceOwnership } from '../migrations/migrate.ts';
import type { Project } from '../project/types.ts';
import { sourceContractProblems } from '../sources/contracts.ts';
import { describeFreshness, sourceFreshness, type FreshnessResult } from '../sources/freshness.ts';

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
  /** 1 when the database, the lake and last_run name the same published batch. */
  batch_consistent: 0 | 1 | null;
}

export interface HealthReport {
  status: 'healthy' | 'degraded' | 'down';
  target: string;
  checks: HealthCheck[];
  /** Source freshness per table that declares it (`strata source freshness`). */
  freshness?: FreshnessResult[];
  kpis: Kpis;
  batchId: string | null;
  models: { model: string; layer: string | null; rows: number | null; seconds: number | null }[];
  /** Totals of every run ever recorded in the database, per status (empty when unknown). */
  counters: RunCounter[];
}

/** How long each database statement of a health check may wait for a lock or run. */
export interface HealthLimits {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
}

const ago = (seconds: number): string =>
  seconds < 120 ? `${Math.round(seconds)}s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${(seconds / 3600).toFixed(1)} h`;

function readLastRun(projectDir: string): LastRunMetrics | null {
  try {
    return readArtifact(projectDir, 'lastRunMetrics');
  } catch {
    return null; // unreadable: reported as no run recorded
  }
}

/**
 * One read of the health check, in its own transaction under `statement_timeout` and
 * `lock_timeout`: a locked strata table or a stuck server makes it fail fast instead of
 * hanging the check (and the alerting behind it).
 */
function bounded<T>(engine: Engine, limits: HealthLimits, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return engine.transaction(async (tx) => {
    await tx.query(`set local statement_timeout = ${Math.max(1, Math.round(limits.statementTimeoutMs))}`);
    await tx.query(`set local lock_timeout = ${Math.max(1, Math.round(limits.lockTimeoutMs))}`);
    await tx.query('set transaction read only');
    return fn(tx);
  });
}

/** A published batch and what it was published at. */
interface Published {
  batchId: string;
  publishedAt: Date;
}

/**
 * Everything `health` and `metrics` report, gathered once: connectivity (with latency),
 * the last run, gold freshness, the lake's active batch, pending migrations, and whether
 * the database, the lake and the last run agree on the published batch.
 * `engine` is null when the database could not be opened; `openError` says why.
 */
export async function collectHealth(
  project: Project,
  target: string,
  engine: Engine | null,
  openError: string | null,
  now = new Date(),
  limits: HealthLimits = { statementTimeoutMs: 2_500, lockTimeoutMs: 1_000 },
): Promise<HealthReport> {
  const cfg = project.config;
  const checks: HealthCheck[] = [];
  const kpis: Kpis = {
    db_connectivity: 0, db_latency_seconds: null, pipeline_success: null, pipeline_latency_seconds: null,
    gold_freshness_seconds: null, last_run_timestamp_seconds: null, tests_failed: null, lake_active_complete: null, migrations_pending: null,
    batch_consistent: null,
  };
  let batchId: string | null = null;
  let counters: RunCounter[] = [];
  let freshness: FreshnessResult[] = [];
  const dbBatches = new Set<string>();
  let published: Published | null = null;
  let stateRead = false;

  if (engine) {
    try {
      const t = performance.now();
      await bounded(engine, limits, (tx) => tx.query('select 1'));
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

  if (engine && kpis.db_connectivity === 1) {
    const { rows: state } = await bounded(engine, limits, (tx) =>
      tx.query<{ t: string | null }>(`select to_regclass('strata.current_batch')::text as t`),
    ).catch(() => ({ rows: [{ t: 'unknown' }] }));
    if (!state[0]?.t) {
      // A reachable database strata never built on serves no pipeline: as bad as down.
      checks.push({ name: 'strata_state', status: 'down', detail: `strata has never built on this database (${target}): run \`strata build\`` });
    } else {
      const limit = cfg.health.goldFreshnessHours * 3600;
      try {
        const read = await bounded(engine, limits, async (tx) => ({
          current: (await tx.query<{ batch_id: string; published_at: Date }>(
            'select b.batch_id, b.published_at from strata.current_batch c join strata.batches b using (batch_id)',
          )).rows[0],
          ids: (await tx.query<{ batch_id: string }>('select batch_id from strata.batches')).rows.map((r) => r.batch_id),
        }));
        stateRead = true;
        for (const id of read.ids) dbBatches.add(id);
        if (!read.current) {
          checks.push({ name: 'gold_freshness', status: 'degraded', detail: 'nothing has been published yet: run `strata build`' });
        } else {
          published = { batchId: read.current.batch_id, publishedAt: new Date(read.current.published_at) };
          batchId = published.batchId;
          const age = (now.getTime() - published.publishedAt.getTime()) / 1000;
          kpis.gold_freshness_seconds = Math.round(age);
          checks.push({
            name: 'gold_freshness',
            status: age <= limit ? 'ok' : 'degraded',
            detail: `gold published ${ago(age)} ago (batch ${published.batchId}); threshold ${cfg.health.goldFreshnessHours} h${age > limit ? ' — STALE' : ''}`,
          });
        }
      } catch (err) {
        checks.push({ name: 'gold_freshness', status: 'degraded', detail: `could not read strata.current_batch: ${errorMessage(err)} (a strata table is locked or the server is slow)` });
      }
      try {
        counters = await bounded(engine, limits, async (tx) =>
          (await tx.query<{ t: string | null }>(`select to_regclass('strata.run_counters')::text as t`)).rows[0]?.t ? readRunCounters(tx) : [],
        );
      } catch {
        counters = [];
      }
      try {
        const onDisk = existsSync(project.migrationsDir) ? readdirSync(project.migrationsDir).filter((f) => f.endsWith('.sql')).length : 0;
        const [migrations, owned] = await bounded(engine, limits, async (tx) => {
          const state = await migrationState(tx);
          return [state, onDisk > 0 ? await sourceOwnership(tx, project.config.sources, project.migrationsDir, state.applied) : { adopted: [] }] as const;
        });
        // postgres-migrations records its own bootstrap as migration 0.
        const applied = Math.max(0, migrations.applied - 1);
        // Adopted sources (their owner made them): the migrations are not for this database.
        kpis.migrations_pending = owned.adopted.length > 0 ? 0 : Math.max(0, onDisk - applied);
        checks.push({
          name: 'migrations',
          status: kpis.migrations_pending === 0 ? 'ok' : 'degraded',
          detail: owned.adopted.length > 0
            ? `none run here: source ${owned.adopted.join(', ')} was made outside strata's migrations (the owner's schema), read as it is`
            : kpis.migrations_pending === 0 ? `${applied} applied${migrations.last ? `, last ${migrations.last}` : ''}` : `${kpis.migrations_pending} pending: run \`strata migrate\``,
        });
      } catch (err) {
        checks.push({ name: 'migrations', status: 'degraded', detail: err instanceof StrataError ? err.message : `could not read the migrations table: ${errorMessage(err)}` });
      }
      const contract = await sourceContractProblems(engine, project).catch((err: unknown) => [`cannot check: ${errorMessage(err)}`]);
      checks.push({
        name: 'source_contracts',
        status: contract.length === 0 ? 'ok' : 'degraded',
        detail: contract.length === 0
          ? `${project.config.sources.reduce((n, s) => n + Object.keys(s.columns ?? {}).length, 0)} source tables keep their declared columns`
          : contract.join('; '),
      });
      freshness = await sourceFreshness(engine, project, now).catch(() => []);
      if (freshness.length > 0) {
        const stale = freshness.filter((f) => f.status !== 'pass');
        checks.push({
          name: 'source_freshness',
          status: stale.length === 0 ? 'ok' : 'degraded',
          detail: stale.length === 0
            ? `${freshness.length} source table${freshness.length > 1 ? 's' : ''} fresh`
            : stale.map((f) => `${f.status.toUpperCase()} ${describeFreshness(f)}`).join('; '),
        });
      }
    }
  }

  const last = readLastRun(project.dir);
  if (!last) {
    checks.push({ name: 'last_run', status: 'degraded', detail: 'no run recorded yet (docs/last_run_metrics.json is missing): run `strata build`' });
  } else {
    // A file of an older run may lack a field: what is missing reads as unknown, not as a value.
    const finished = Date.parse(last.finished_at ?? '');
    const latency = last.pipeline_latency ?? null;
    kpis.pipeline_success = last.pipeline_success === 1 ? 1 : 0;
    kpis.pipeline_latency_seconds = latency;
    kpis.last_run_timestamp_seconds = Number.isFinite(finished) ? Math.round(finished / 1000) : null;
    kpis.tests_failed = last.tests?.fail ?? 0;
    const slow = latency !== null && latency > cfg.health.pipelineLatencySeconds;
    const status: CheckStatus = last.pipeline_success === 1 && !slow ? 'ok' : 'degraded';
    const what = last.pipeline_success === 1 ? 'succeeded' : `FAILED${last.error ? ` (${last.error.split('\n')[0]})` : ''}`;
    checks.push({
      name: 'last_run',
      status,
      detail: `batch ${last.batch_id ?? '?'} ${what} in ${latency ?? '?'}s${slow ? ` — over the ${cfg.health.pipelineLatencySeconds}s latency target` : ''}, ${Number.isFinite(finished) ? `${ago((now.getTime() - finished) / 1000)} ago` : 'at an unknown time'}`,
    });
  }

  const lakeDir = join(project.dir, cfg.lake.path);
  const lakeActive = new Map<string, LakeBatch | undefined>();
  for (const layer of cfg.lake.layers) {
    const batches = existsSync(join(lakeDir, layer)) ? await listLakeBatches(lakeDir, layer, { now }) : [];
    const active = batches.find((b) => b.active);
    lakeActive.set(layer, active);
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

  if (stateRead) {
    const problems = batchDisagreements(published, dbBatches, lakeActive, last);
    kpis.batch_consistent = problems.length === 0 ? 1 : 0;
    checks.push(
      problems.length === 0
        ? { name: 'batch_consistency', status: 'ok', detail: `database${cfg.lake.layers.length ? ', lake' : ''} and last run agree on batch ${published?.batchId ?? '(none)'}` }
        : { name: 'batch_consistency', status: 'degraded', detail: problems.join('; ') },
    );
  }

  const models = last
    ? Object.entries(last.models?.rows ?? {}).map(([model, rows]) => ({ model, layer: last.models?.layers?.[model] ?? null, rows, seconds: last.models?.seconds?.[model] ?? null }))
    : [];
  const status = checks.some((c) => c.status === 'down') ? 'down' : checks.some((c) => c.status === 'degraded') ? 'degraded' : 'healthy';
  return { status, target, checks, freshness, kpis, batchId, models, counters };
}

/**
 * The database's current batch is the truth. The lake's active batch must be the same
 * batch (a restored database batch `X.restored-…` is lake batch X), and the last run must
 * name a batch the database knows (after a point-in-time restore it may not). Each
 * finding carries the command that fixes it.
 */
function batchDisagreements(
  published: Published | null,
  dbBatches: ReadonlySet<string>,
  lakeActive: ReadonlyMap<string, LakeBatch | undefined>,
  last: LastRunMetrics | null,
): string[] {
  const problems: string[] = [];
  const dbLakeId = published ? lakeIdOf(published.batchId) : null;
  for (const [layer, active] of lakeActive) {
    if (!active || !dbLakeId || lakeIdOf(active.id) === dbLakeId) continue;
    problems.push(`the ${layer} lake's active batch is ${active.id}, the database publishes ${published!.batchId}: run \`strata export\` (activates the database's batch, writing it if the lake lacks it)`);
  }
  if (last?.batch_id && last.published !== false && last.pipeline_success === 1 && !dbBatches.has(last.batch_id)) {
    problems.push(`the last run published batch ${last.batch_id}, which this database does not have (restored from a backup?): run \`strata build\` to publish a new batch`);
  }
  return problems;
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

/** What a check that ran out of time reports: down, so alerting fires, with what it waited on. */
export function timedOutReport(target: string, seconds: number): HealthReport {
  return {
    status: 'down',
    target,
    checks: [{ name: 'deadline', status: 'down', detail: `health did not finish within ${seconds}s on ${target} (raise --timeout, or look for a stuck server or lock)` }],
    kpis: {
      db_connectivity: 0, db_latency_seconds: null, pipeline_success: null, pipeline_latency_seconds: null, gold_freshness_seconds: null,
      last_run_timestamp_seconds: null, tests_failed: null, lake_active_complete: null, migrations_pending: null, batch_consistent: null,
    },
    batchId: null,
    models: [],
    counters: [],
  };
}
