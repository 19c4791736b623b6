/**
 * What the docs site reads: the artifacts a build leaves behind (target/manifest.json,
 * target/run_results.json, docs/last_run_metrics.json, logs/pipeline.log) and, when the
 * lake module provides them, the exported parquet batches. The artifacts' shapes are
 * defined once, in src/core/artifacts.ts.
 */

export type { ManifestLayer, ManifestSource, ManifestColumn, ManifestOutputColumn, ManifestNode, ManifestTest, Manifest, RunResultEntry, RunResults, LastRunMetrics } from '../core/artifacts.ts';
import type { Manifest, RunResults, LastRunMetrics } from '../core/artifacts.ts';

/** One finished run, from a `run_end` event of logs/pipeline.log. */
export interface RunHistoryEntry {
  batchId: string | null;
  /** When the run ended (ISO timestamp of the event). */
  ts: string;
  durationS: number;
  status: string;
  /** From the matching `run_start` event, when the log still holds it. */
  command?: string;
}

/** One exported parquet batch of the lake (provided by the lake module). */
export interface LakeBatchRow {
  batchId: string;
  layer: string;
  complete: boolean;
  active: boolean;
  rows: number;
  bytes: number;
  createdAt: string | null;
}

export interface DocsInputs {
  projectDir: string;
  manifest: Manifest;
  runResults?: RunResults | null;
  lastRunMetrics?: LastRunMetrics | null;
  runHistory: RunHistoryEntry[];
  lakeBatches?: LakeBatchRow[] | null;
}

export interface DocsSiteOptions {
  /** Where to write; default `<projectDir>/target/docs`. */
  outDir?: string;
  /** The pipeline latency budget drawn on the run-duration chart (seconds); default 120. */
  latencyBudgetS?: number;
  /** Timestamp printed in the page header; default now. */
  now?: Date;
}
