import type { Materialization } from '../project/types.ts';

export interface IndexSpec {
  columns: string[];
  unique: boolean;
}

export interface ModelSetting {
  name: string;
  value: string;
}

export interface ModelConfig {
  materialized: Materialization;
  uniqueKey: string[];
  /**
   * Incremental delete detection: the ref whose `unique_key` values are the rows that may
   * exist. After each merge, rows whose key it no longer holds (deleted or now rejected
   * upstream) are deleted from the model.
   */
  keysFrom?: string;
  tags: string[];
  indexes: IndexSpec[];
  /** Session settings for the model's build only (`set local`), e.g. work_mem for a big sort. */
  settings?: ModelSetting[];
  description?: string;
  /** Overrides the layer's lake export setting for this model. */
  export?: boolean;
  /** A snapshot's change detection (materialize/snapshot.ts). */
  snapshot?: SnapshotConfig;
}

/** dbt's snapshot strategies: a row changed when `updated_at` grew, or when a `check_cols` value differs. */
export type SnapshotConfig = { strategy: 'timestamp'; updatedAt: string } | { strategy: 'check'; checkCols: string[] };

/** A model rendered once; refs stay as placeholders until a run decides where they point. */
export interface CompiledModel {
  name: string;
  layer: string;
  relPath: string;
  config: ModelConfig;
  /** Models and seeds it reads, in order of first use. */
  refs: string[];
  sources: { source: string; table: string }[];
  /** Rendered SQL with placeholders (see placeholders.ts); not yet runnable. */
  sql: string;
  /** Whether the template asks `is_incremental`: then it is rendered again at run time. */
  usesIsIncremental: boolean;
  /** SQL literals of secret env vars in `sql`: artifacts show them as '****'. */
  masked?: string[];
  /** Of the rendered SQL: changes when the model, a macro it uses or a var it reads changes. */
  checksum: string;
}

export interface CompiledTest {
  name: string;
  /** The model it belongs to, when there is one (generic tests, or singular tests with one ref). */
  model?: string;
  refs: string[];
  kind: string;
  severity: 'error' | 'warn';
  /** Placeholder SQL selecting the failing rows. */
  sql: string;
  /**
   * For a test that reads its model alone: a placeholder boolean aggregate over the model's
   * rows, true when the test fails. The tests of one model are decided in one scan with it;
   * only a failing one then runs `sql` (for its count, audit table and sample).
   */
  failsWhen?: string;
  file: string;
  line?: number;
  column?: string;
  /** dbt's thresholds on the failure count, e.g. `>10`; both default to `!=0`. */
  warnIf?: string;
  errorIf?: string;
  /** false: the failing rows are counted, not kept in the audit schema. */
  storeFailures?: boolean;
}

export interface SeedNode {
  name: string;
  schema: string;
}
