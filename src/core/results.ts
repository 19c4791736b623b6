import type { ModelStatus, TestStatus } from '../observability/events.ts';
import type { PlanAction } from '../plan/types.ts';

export interface ModelResult {
  model: string;
  layer: string;
  materialized: string;
  relation: string;
  /** What the batch plan did with it. */
  action?: PlanAction;
  status: ModelStatus;
  rows: number | null;
  /** Rows an incremental merge touched; null for full builds. */
  merged: number | null;
  durationS: number;
  error?: string;
  skippedBecause?: string;
  /** Not built: the batch points at the published batch's table, and why (src/plan/plan.ts). */
  reused?: string;
}

export interface TestResult {
  test: string;
  model: string | null;
  kind: string;
  severity: 'error' | 'warn';
  status: TestStatus;
  failures: number;
  durationS: number;
  /** Decided without running its query: the unique index that proves it (checks/unique-proof.ts). */
  provenBy?: string;
  auditRelation?: string;
  sample?: Record<string, unknown>[];
  error?: string;
}

export interface StepTimes {
  /** Reading the project and compiling its models and tests. */
  compile?: number;
  /** Unit tests on the in-memory engine, before anything touches data (build). */
  unit_tests?: number;
  /** Connecting, taking the build lock, reaping dead batches and checking the source contracts. */
  connect?: number;
  migrate?: number;
  seed?: number;
  /** Reading what the database holds (the published batch, fingerprints, the sources' content versions) and planning. */
  plan?: number;
  run?: number;
  publish?: number;
  /** Dropping what the batches that fell out of keep_batches held alone. */
  expire?: number;
  grants?: number;
  export?: number;
}

export interface RunSummary {
  command: string;
  batchId: string | null;
  target: string;
  status: 'success' | 'failed';
  published: boolean;
  startedAt: string;
  finishedAt: string;
  durationS: number;
  steps: StepTimes;
  models: ModelResult[];
  tests: TestResult[];
  error?: string;
}
