/**
 * The batch plan as data: what a build would do to each model, with the statements and the
 * reason. `planBatch` (plan.ts) makes it without touching any database; the runner
 * (api/execute-batch.ts) only executes it; `build --dry-run` and `explain` print it. Plain
 * JSON-able data, so later decisions (reuse of unchanged relations) extend it in place.
 */
import type { Materialization } from '../project/types.ts';
import type { Statement } from '../materialize/statements.ts';

/**
 * `create`: built for the first time; `rebuild`: built again in full; `merge`: the previous
 * batch's rows carried forward and the changed ones merged (incremental) or appended
 * (snapshot); `reuse`: not built, the published relation is carried over; `skip`: nothing
 * to build (an ephemeral model, or one not selected that was never built).
 */
export type PlanAction = 'create' | 'rebuild' | 'merge' | 'reuse' | 'skip';

export interface ModelPlan {
  model: string;
  materialized: Materialization;
  /** The published relation people read (`gold.fact_reviews`), or `(ephemeral) name`. */
  relation: string;
  action: PlanAction;
  /** Why, in a sentence a person can act on. */
  reason: string;
  /** In order, in one transaction; empty unless the model is built. */
  statements: Statement[];
  /** For merges: the relation of the published batch the rows are carried from. */
  previous?: string;
}

export const PLAN_VERSION = 1;

export interface BatchPlan {
  version: typeof PLAN_VERSION;
  batchId: string;
  /** The published batch the plan starts from, null on a fresh database. */
  fromBatch: string | null;
  fullRefresh: boolean;
  /** Every model of the project, in dependency order. */
  models: ModelPlan[];
  /** Data tests run after their models, and unit tests run before any model. */
  tests: string[];
  unitTests: string[];
}
