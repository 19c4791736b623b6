/**
 * The batch plan as data: what a build does to each seed, model and data test, with the
 * statements and the reason. `planBatch` (plan.ts) makes it without touching any database;
 * the runner (api/execute-batch.ts) only executes it; `build --dry-run` / `explain` print
 * it, and a build writes the plan it executed to target/plan.json. Plain JSON.
 */
import type { BatchRelation } from '../batch/state.ts';
import type { Materialization } from '../project/types.ts';
import type { Statement } from '../materialize/statements.ts';
import type { Fingerprint, TestOutcome } from './fingerprint.ts';

/**
 * `create`: built for the first time; `rebuild`: built again in full; `merge`: the previous
 * batch's rows carried forward and the changed ones merged (incremental) or appended
 * (snapshot); `reuse`: not built, the batch points at the published relation; `skip`:
 * nothing to build (an ephemeral model, or one not selected that was never built).
 */
export type PlanAction = 'create' | 'rebuild' | 'merge' | 'reuse' | 'skip';
export const PLAN_ACTIONS: readonly PlanAction[] = ['create', 'rebuild', 'merge', 'reuse', 'skip'];

export interface ModelPlan {
  model: string;
  materialized: Materialization;
  /** The published relation people read (`gold.fact_reviews`), or `(ephemeral) name`. */
  relation: string;
  /** Chosen by the selection: the runner reports on it (a model not selected is carried over silently). */
  selected: boolean;
  action: PlanAction;
  /** Why, in a sentence a person can act on. */
  reason: string;
  /** In order, in one transaction; empty unless the model is built. */
  statements: Statement[];
  /** For merges: the relation of the published batch the rows are carried from. */
  previous?: string;
  /** The relation the batch maps the model to (absent for an ephemeral model or one never built). */
  publishes?: BatchRelation;
  /** Kept with the batch when it is published; the next plan compares against it. */
  fingerprint?: Fingerprint;
  /** Reused, and its enforced contract is the one the published batch checked it against: not checked again. */
  contractKept?: true;
}

export interface SeedPlan {
  seed: string;
  /** `load`: the CSV into a new table of the batch; `keep`: the published table carried over. */
  action: 'load' | 'keep';
  reason: string;
  publishes: BatchRelation;
}

export interface TestPlan {
  test: string;
  /** `skip`: passed (or warned) in the published batch on the very same relations. */
  action: 'run' | 'skip';
  reason: string;
  /** A skipped test's outcome in that batch: a warning is reported again from it, so it is never hidden. */
  outcome?: TestOutcome;
}

export const PLAN_VERSION = 2;

export interface BatchPlan {
  version: typeof PLAN_VERSION;
  batchId: string;
  command: 'build' | 'run';
  /** The published batch the plan starts from, null on a fresh database. */
  fromBatch: string | null;
  fullRefresh: boolean;
  /** Unit tests run first, before anything touches data (on the embedded database itself, or a throw-away PGlite for a server). */
  unitTests: string[];
  seeds: SeedPlan[];
  /** Every model of the project, in dependency order. */
  models: ModelPlan[];
  /** The data tests of the chosen models, each run after the models it reads. */
  tests: TestPlan[];
  /** Where each ref (model or seed) points in this batch: the runner resolves the tests' SQL with it. */
  refs: Record<string, string>;
}
