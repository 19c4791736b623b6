/**
 * What the docs site reads: the artifacts a build leaves behind (target/manifest.json,
 * target/run_results.json, docs/last_run_metrics.json, logs/pipeline.log) and, when the
 * lake module provides them, the exported parquet batches. Only the fields the site uses
 * are typed; everything is read defensively because the files may come from older runs.
 */

export interface ManifestLayer {
  name: string;
  schema?: string;
  materialized?: string;
  export?: boolean;
}

export interface ManifestSource {
  name: string;
  schema: string;
  tables: string[];
}

export interface ManifestColumn {
  name: string;
  description: string | null;
  tests: string[];
}

/** A model's output column as compile's SQL analysis knows it (src/compile/comprehend.ts). */
export interface ManifestOutputColumn {
  name: string;
  /** As format_type prints it, when certain. */
  type: string | null;
  /** One hop upstream; null when unknown. `node`: the relation is a model or seed of the project. */
  lineage: {
    kind: 'copy' | 'cast' | 'transform';
    sources: { relation: string; node?: true; column: string }[];
    partial?: true;
  } | null;
}

export interface ManifestNode {
  kind: 'model' | 'seed' | string;
  layer?: string;
  path?: string;
  relation?: string | null;
  config?: { materialized?: string; tags?: string[]; uniqueKey?: string[]; [key: string]: unknown };
  refs?: string[];
  sources?: { source: string; table: string }[];
  checksum?: string;
  description?: string | null;
  columns?: ManifestColumn[];
  /** Null when the columns cannot all be known; absent in manifests older than column lineage. */
  output_columns?: ManifestOutputColumn[] | null;
  compiled_sql?: string;
}

export interface ManifestTest {
  name: string;
  model: string | null;
  refs?: string[];
  kind: string;
  severity: 'error' | 'warn' | string;
  column: string | null;
  file?: string;
  sql?: string;
}

/** target/manifest.json as written by buildManifest (src/api/compile.ts). */
export interface Manifest {
  strata_version?: string;
  generated_at?: string;
  project: string;
  layers: ManifestLayer[];
  sources?: ManifestSource[];
  nodes: Record<string, ManifestNode>;
  edges?: [string, string][];
  order?: string[];
  tests?: ManifestTest[];
  /** yml `exposures:`: what reads the project from outside. */
  exposures?: { name: string; type: string; refs: string[]; sources: { source: string; table: string }[] }[];
}

export interface RunResultEntry {
  kind: 'model' | 'test' | string;
  name: string;
  status: string;
  relation?: string;
  materialized?: string;
  rows?: number | null;
  merged?: number | null;
  duration_s?: number;
  error?: string | null;
  model?: string | null;
  test_kind?: string;
  severity?: string;
  failures?: number;
}

/** target/run_results.json (src/observability/artifacts.ts). */
export interface RunResults {
  command?: string;
  batch_id?: string | null;
  target?: string;
  status?: string;
  published?: boolean;
  started_at?: string;
  finished_at?: string;
  elapsed_s?: number;
  error?: string;
  results: RunResultEntry[];
}

/** docs/last_run_metrics.json (src/observability/artifacts.ts). */
export interface LastRunMetrics {
  batch_id?: string | null;
  command?: string;
  pipeline_success?: number;
  pipeline_latency?: number;
  published?: boolean;
  started_at?: string;
  finished_at?: string;
  steps?: Record<string, number>;
  models?: {
    total?: number;
    success?: number;
    error?: number;
    skipped?: number;
    rows?: Record<string, number | null>;
    seconds?: Record<string, number>;
  };
  tests?: { total?: number; pass?: number; fail?: number; warn?: number };
  error?: string;
}

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
