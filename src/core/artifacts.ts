/**
 * The artifacts a run leaves in the project — target/manifest.json, target/run_results.json,
 * docs/last_run_metrics.json (and target/plan.json, the batch plan of src/plan/types.ts,
 * versioned by its own `version`) — defined once, for their writers (api/compile.ts,
 * observability/artifacts.ts) and their readers (docs, health, retry, selection). Each file
 * carries `schema_version`; a reader refuses a file written by a newer strata, and reads
 * files of older runs (no `schema_version`) defensively: every field a reader uses may be
 * missing, which is why the fields are optional here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Bumped when a field changes meaning or goes; adding a field does not bump it. */
export const ARTIFACT_SCHEMA_VERSION = 1;

/** Where each artifact lives, relative to the project directory. */
export const ARTIFACT_FILES = {
  manifest: join('target', 'manifest.json'),
  runResults: join('target', 'run_results.json'),
  lastRunMetrics: join('docs', 'last_run_metrics.json'),
  plan: join('target', 'plan.json'),
} as const;

export type ArtifactName = keyof typeof ARTIFACT_FILES;

export const artifactPath = (projectDir: string, name: ArtifactName): string => join(projectDir, ARTIFACT_FILES[name]);

interface Artifacts {
  manifest: Manifest;
  runResults: RunResults;
  lastRunMetrics: LastRunMetrics;
}

export class ArtifactError extends Error {}

/**
 * An artifact of the project as its readers see it: null when the file is absent; an
 * ArtifactError when it is not JSON or was written by a newer strata (schema_version).
 */
export function readArtifact<K extends keyof Artifacts>(projectDir: string, name: K): Artifacts[K] | null {
  const path = artifactPath(projectDir, name);
  if (!existsSync(path)) return null;
  let value: Artifacts[K];
  try {
    value = JSON.parse(readFileSync(path, 'utf8')) as Artifacts[K];
  } catch (err) {
    throw new ArtifactError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null) throw new ArtifactError(`${path}: not a strata ${name} file`);
  const version = value.schema_version ?? 0;
  if (typeof version !== 'number' || version > ARTIFACT_SCHEMA_VERSION) {
    throw new ArtifactError(`${path}: schema_version ${String(version)} was written by a newer strata (this one reads up to ${ARTIFACT_SCHEMA_VERSION})`);
  }
  return value;
}

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
  meta?: Record<string, unknown>;
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
  meta?: Record<string, unknown>;
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
  schema_version?: number;
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
  /** What the batch plan did with the model (create, rebuild, merge, reuse, skip). */
  action?: string;
  /** Why a model was reused, when it was. */
  reused?: string;
  skipped_because?: string;
  rows?: number | null;
  merged?: number | null;
  duration_s?: number;
  error?: string | null;
  model?: string | null;
  test_kind?: string;
  severity?: string;
  failures?: number;
  audit_relation?: string | null;
  /** A test decided without its query: the unique index that proves it. */
  proven_by?: string;
}

/** target/run_results.json (src/observability/artifacts.ts). */
export interface RunResults {
  schema_version?: number;
  strata_version?: string;
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
  schema_version?: number;
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
    layers?: Record<string, string>;
  };
  tests?: { total?: number; pass?: number; fail?: number; warn?: number };
  error?: string;
}
