import type { CompiledModel } from '../../compile/types.ts';
import type { BatchRelation } from '../../batch/state.ts';
import type { Statement } from '../../materialize/statements.ts';
import type { PlanAction } from '../types.ts';

/** What a strategy knows when it decides: the model, where it goes, what was published. */
export interface StrategyInput {
  model: CompiledModel;
  /** The batch's relation for the model, schema-qualified. */
  target: { schema: string; name: string; relation: string; batchId: string };
  /** The model's relation in the published batch, if it had one. */
  previous: BatchRelation | undefined;
  fullRefresh: boolean;
  /** The model's select, refs resolved, `this` = the batch's relation. */
  sql: string;
  /** The same rendered with is_incremental true and `this` = the previous relation (incremental merges). */
  incrementalSql: (previousRelation: string) => string;
  /** Output columns, when known (snapshots). */
  columns: readonly string[] | undefined;
}

export interface Decision {
  action: PlanAction;
  reason: string;
  statements: Statement[];
  previous?: string;
}

/** One per materialization: it owns its decision and its SQL. */
export type Strategy = (input: StrategyInput) => Decision;
