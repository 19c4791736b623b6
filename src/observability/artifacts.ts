import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunSummary } from '../core/results.ts';
import { ARTIFACT_SCHEMA_VERSION, type LastRunMetrics, type RunResults } from '../core/artifacts.ts';
import { ioFailure } from '../core/io-errors.ts';
import { STRATA_VERSION } from '../core/version.ts';
import { maskSecrets } from '../engine/secrets.ts';

/** Written whole or not at all: a reader (a collector, a dashboard) never sees half a file. */
export function writeTextAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, maskSecrets(text));
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw ioFailure('write', path, err);
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeTextAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** target/run_results.json: one entry per model and test, as dbt users know it. */
export function runResultsArtifact(run: RunSummary): RunResults {
  return {
    schema_version: ARTIFACT_SCHEMA_VERSION,
    strata_version: STRATA_VERSION,
    command: run.command,
    batch_id: run.batchId,
    target: run.target,
    status: run.status,
    published: run.published,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    elapsed_s: run.durationS,
    ...(run.error ? { error: run.error } : {}),
    results: [
      ...run.models.map((m) => ({
        kind: 'model',
        name: m.model,
        relation: m.relation,
        materialized: m.materialized,
        ...(m.action ? { action: m.action } : {}),
        status: m.status,
        rows: m.rows,
        merged: m.merged,
        duration_s: m.durationS,
        error: m.error ?? null,
        ...(m.skippedBecause ? { skipped_because: m.skippedBecause } : {}),
        ...(m.reused ? { reused: m.reused } : {}),
      })),
      ...run.tests.map((t) => ({
        kind: 'test',
        name: t.test,
        model: t.model,
        test_kind: t.kind,
        severity: t.severity,
        status: t.status,
        failures: t.failures,
        duration_s: t.durationS,
        audit_relation: t.auditRelation ?? null,
        error: t.error ?? null,
        ...(t.provenBy ? { proven_by: t.provenBy } : {}),
      })),
    ],
  };
}

/** docs/last_run_metrics.json: the KPIs the operations documents read. */
export function lastRunMetricsArtifact(run: RunSummary): LastRunMetrics {
  return {
    schema_version: ARTIFACT_SCHEMA_VERSION,
    batch_id: run.batchId,
    command: run.command,
    pipeline_success: run.status === 'success' ? 1 : 0,
    pipeline_latency: run.durationS,
    published: run.published,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    steps: { ...run.steps },
    models: {
      total: run.models.length,
      success: run.models.filter((m) => m.status === 'success').length,
      error: run.models.filter((m) => m.status === 'error').length,
      skipped: run.models.filter((m) => m.status === 'skipped').length,
      rows: Object.fromEntries(run.models.map((m) => [m.model, m.rows])),
      seconds: Object.fromEntries(run.models.map((m) => [m.model, m.durationS])),
      layers: Object.fromEntries(run.models.map((m) => [m.model, m.layer])),
    },
    tests: {
      total: run.tests.length,
      pass: run.tests.filter((t) => t.status === 'pass').length,
      fail: run.tests.filter((t) => t.status === 'fail' || t.status === 'error').length,
      warn: run.tests.filter((t) => t.status === 'warn').length,
    },
    ...(run.error ? { error: run.error } : {}),
  };
}
