import type { UnitTestSpec } from '../unit/spec.ts';
/** The project as strata understands it, after reading and validating every file. */
export type Materialization = 'view' | 'table' | 'incremental' | 'ephemeral' | 'snapshot';
export const MATERIALIZATIONS: readonly Materialization[] = ['view', 'table', 'incremental', 'ephemeral', 'snapshot'];

export interface LayerConfig {
  name: string;
  /** The published schema readers use. */
  schema: string;
  materialized: Materialization;
  /** Exported to the parquet lake after publishing. */
  export: boolean;
}

export interface SourceColumn {
  name: string;
  /** As written in project.yaml; compared with the live column by the type PostgreSQL resolves. */
  type: string;
}

/** dbt's `warn_after` / `error_after`, in seconds. */
export interface SourceFreshness {
  loadedAtField: string;
  warnAfterSeconds?: number;
  errorAfterSeconds?: number;
}

export interface SourceConfig {
  name: string;
  schema: string;
  tables: string[];
  /** The contract per table: the columns it must have, with their types. */
  columns?: Record<string, SourceColumn[]>;
  /** Per table: how old its newest row may be. */
  freshness?: Record<string, SourceFreshness>;
  description?: string;
  meta?: Record<string, unknown>;
  /** Per table, from a `sources:` block in a yml file. */
  tableDocs?: Record<string, { description?: string; columns: ColumnDoc[]; meta?: Record<string, unknown> }>;
  /** Where it was declared, when in a yml file. */
  file?: string;
  /** Folder of `<table>.csv` sample files, relative to the project: loaded only on request, only into empty tables. */
  sample?: string;
}

export interface SeedConfig {
  schema: string;
  columnTypes: Record<string, string>;
  primaryKey: string[];
}

export interface RoleConfig {
  name: string;
  read: string[];
  write: string[];
  /** Environment variable holding the password; without it the role is NOLOGIN. */
  passwordEnv?: string;
}

export interface LakeConfig {
  path: string;
  layers: string[];
  retentionDays: number;
}

export interface HealthConfig {
  goldFreshnessHours: number;
  pipelineLatencySeconds: number;
}

export interface ProjectConfig {
  name: string;
  layers: LayerConfig[];
  sources: SourceConfig[];
  seedSchema: string;
  seeds: Record<string, Partial<SeedConfig>>;
  vars: Record<string, unknown>;
  threads: number;
  /** Published batches whose physical schemas are kept for instant rollback. */
  keepBatches: number;
  lake: LakeConfig;
  health: HealthConfig;
  roles: RoleConfig[];
}

export interface ColumnDoc {
  name: string;
  description?: string;
  tests: TestSpec[];
  meta?: Record<string, unknown>;
  /** Contract: the declared type (`data_type:`), as written. */
  dataType?: string;
  /** Contract: `constraints: [{type: not_null}]` (or primary_key). */
  notNull?: boolean;
  line?: number;
}

/** dbt's test `config:`: which rows count, and when failures warn or fail. */
export interface TestConfig {
  /** A SQL filter applied to the model before testing. */
  where?: string;
  /** At most this many failing rows are selected (and stored). */
  limit?: number;
  /** Conditions on the number of failures, e.g. `>10`; dbt's default `!=0`. */
  warnIf?: string;
  errorIf?: string;
  /** Keep the failing rows in the audit schema (default true). */
  storeFailures?: boolean;
}

/** A generic test as written in schema.yml, before it becomes SQL. */
export interface TestSpec {
  kind: string;
  args: Record<string, unknown>;
  severity: 'error' | 'warn';
  config: TestConfig;
  /** `name:` given in the yml, instead of the generated one. */
  name?: string;
  /** Where it was declared, for error messages. */
  file: string;
  line?: number;
}

/** A dbt exposure: something outside the project that reads it (a dashboard, an app). */
export interface ExposureDoc {
  name: string;
  type: string;
  description?: string;
  label?: string;
  url?: string;
  maturity?: string;
  owner?: { name?: string; email?: string };
  /** Model (or seed) names it reads. */
  refs: string[];
  sources: { source: string; table: string }[];
  tags: string[];
  meta?: Record<string, unknown>;
  file: string;
  line?: number;
}

export interface ModelDoc {
  description?: string;
  /** `config: {contract: {enforced: true}}`: the columns below are the model's published interface. */
  contract?: boolean;
  columns: ColumnDoc[];
  tests: TestSpec[];
  meta?: Record<string, unknown>;
  /** A `config:` block: the model's config, under what its own {{config}} sets. */
  config?: Record<string, unknown>;
  file: string;
  line?: number;
}

export interface SourceFile {
  /** Absolute path. */
  path: string;
  /** Relative to the project, with forward slashes: what people see in messages. */
  relPath: string;
  text: string;
}

export interface ModelFile extends SourceFile {
  name: string;
  layer: string;
}

export interface SeedFile {
  name: string;
  path: string;
  relPath: string;
}

export interface Project {
  dir: string;
  config: ProjectConfig;
  models: ModelFile[];
  docs: Map<string, ModelDoc>;
  exposures: ExposureDoc[];
  macros: SourceFile[];
  seeds: SeedFile[];
  singularTests: SourceFile[];
  /** `unit_tests:` of models/**.yml (src/unit/spec.ts). */
  unitTests: UnitTestSpec[];
  migrationsDir: string;
}
