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

export interface SourceConfig {
  name: string;
  schema: string;
  tables: string[];
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
  /** Contract: the declared type (`data_type:`), as written. */
  dataType?: string;
  /** Contract: `constraints: [{type: not_null}]` (or primary_key). */
  notNull?: boolean;
  line?: number;
}

/** A generic test as written in schema.yml, before it becomes SQL. */
export interface TestSpec {
  kind: string;
  args: Record<string, unknown>;
  severity: 'error' | 'warn';
  /** Where it was declared, for error messages. */
  file: string;
  line?: number;
}

export interface ModelDoc {
  description?: string;
  /** `config: {contract: {enforced: true}}`: the columns below are the model's published interface. */
  contract?: boolean;
  columns: ColumnDoc[];
  tests: TestSpec[];
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
  macros: SourceFile[];
  seeds: SeedFile[];
  singularTests: SourceFile[];
  /** `unit_tests:` of models/**.yml (src/unit/spec.ts). */
  unitTests: UnitTestSpec[];
  migrationsDir: string;
}
