/** Typed run events: the one vocabulary of the console, `--json`, and logs/pipeline.log. */
import type { PlanAction } from '../plan/types.ts';

export type ModelStatus = 'success' | 'error' | 'skipped';
export type TestStatus = 'pass' | 'fail' | 'warn' | 'error' | 'skipped';

export type RunEvent =
  | { event: 'run_start'; command: string; target: string; models: number; tests: number }
  | { event: 'migrate_end'; applied: string[]; adopted: string[]; duration_s: number }
  | { event: 'seed_end'; seed: string; relation: string; rows: number; status: 'loaded' | 'unchanged'; duration_s: number }
  | { event: 'model_start'; model: string; index: number; total: number; materialized: string; relation: string }
  | {
      event: 'model_end';
      model: string;
      index: number;
      total: number;
      materialized: string;
      relation: string;
      /** What the batch plan did with the model (src/plan/types.ts). */
      action?: PlanAction;
      status: ModelStatus;
      rows: number | null;
      merged: number | null;
      duration_s: number;
      error?: string;
      skipped_because?: string;
      /** Why a model was built differently than asked, e.g. an incremental model rebuilt in full. */
      note?: string;
    }
  | {
      event: 'test_end';
      test: string;
      model: string | null;
      severity: 'error' | 'warn';
      status: TestStatus;
      failures: number;
      duration_s: number;
      sample?: Record<string, unknown>[];
      audit_relation?: string;
      error?: string;
      /** Not run: the outcome recorded in the published batch, on the same relations (why, in words). */
      reused?: string;
      /** Not run: the unique index that proves it. */
      proven_by?: string;
    }
  | {
      event: 'unit_test_end';
      test: string;
      model: string;
      status: 'pass' | 'fail' | 'error';
      duration_s: number;
      /** Expected rows not produced, and produced rows not expected (the expected columns only). */
      missing: Record<string, unknown>[];
      unexpected: Record<string, unknown>[];
      error?: string;
    }
  | { event: 'reuse'; reused: number; models: number; from: string; tests_not_rerun: number }
  | { event: 'plan'; model: string; relation: string; action: PlanAction; reason: string }
  | { event: 'publish'; layers: string[]; models: number; duration_s: number }
  | { event: 'not_published'; reason: string }
  | { event: 'rollback'; from: string; to: string }
  | { event: 'grants'; roles: string[]; statements: number; duration_s: number }
  | { event: 'export_end'; layer: string; tables: number; /** Tables whose file was taken over from an earlier lake batch (unchanged). */ reused?: number; rows: number; bytes: number; /** From its first table begun to its last written (a build writes tables as their models finish). */ duration_s: number; path: string }
  | { event: 'warning'; message: string }
  | { event: 'error'; message: string }
  | {
      event: 'run_end';
      status: 'success' | 'failed';
      published: boolean;
      duration_s: number;
      summary: Record<string, number>;
      /** Seconds per step (migrate, seed, run, publish, grants, export) of a build. */
      steps?: Record<string, number>;
    };

export type StampedEvent = RunEvent & { ts: string; batch_id: string | null };

/** Where events go: the console, stdout as JSON, the log file. */
export interface EventSink {
  emit(event: StampedEvent): void;
  close?(): Promise<void> | void;
}

export class EventBus {
  constructor(
    private readonly sinks: EventSink[],
    public batchId: string | null = null,
  ) {}

  emit(event: RunEvent): void {
    const stamped = { ts: new Date().toISOString(), batch_id: this.batchId, ...event } as StampedEvent;
    for (const sink of this.sinks) sink.emit(stamped);
  }

  async close(): Promise<void> {
    for (const sink of this.sinks) await sink.close?.();
  }
}
