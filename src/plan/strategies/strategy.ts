import type { CompiledModel } from '../../compile/types.ts';
import type { BatchRelation } from '../../batch/state.ts';
import type { Statement } from '../../materialize/statements.ts';
import type { PlanAction } from '../types.ts';

/**
 * How the model stands against the published batch (plan.ts works it out from the
 * fingerprints): `new` (not published), `full-refresh`, `unchanged` (same SQL, config and
 * inputs: reusable), `inputs` (same SQL and config, an input changed: an incremental model
 * can merge), `definition` (its SQL, config or materialization changed, or it cannot be
 * compared): built again in full.
 */
export type Change =
  | { kind: 'new' }
  | { kind: 'full-refresh' }
  | { kind: 'unchanged'; since: string; from: BatchRelation }
  /** `inFull`: the changed inputs that may have changed every row (plan.ts changedInFull): no merge then. */
  | { kind: 'inputs'; reason: string; inFull: string[] }
  | { kind: 'definition'; reason: string };

/** What a strategy knows when it decides: the model, where it goes, what was published and what changed. */
export interface StrategyInput {
  model: CompiledModel;
  /** The batch's relation for the model, schema-qualified. */
  target: { schema: string; name: string; relation: string; batchId: string };
  /** The model's relation in the published batch, if it had one. */
  previous: BatchRelation | undefined;
  change: Change;
  /** The model's select, refs resolved, `this` = the batch's relation. */
  sql: string;
  /** The same rendered with is_incremental true and `this` = the previous relation (incremental merges). */
  incrementalSql: (previousRelation: string) => string;
  /** The relation of its `keys_from` in this batch (incremental delete detection). */
  keysFrom?: string;
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

/** An unchanged model is reused: the batch points at the published relation, nothing runs. */
export function reused(change: Change & { kind: 'unchanged' }): Decision {
  return { action: 'reuse', reason: `unchanged since batch ${change.since}`, statements: [] };
}

/** Why a model is built in full, from its change. */
export function fullBuildReason(change: Exclude<Change, { kind: 'unchanged' }>): { action: 'create' | 'rebuild'; reason: string } {
  switch (change.kind) {
    case 'new':
      return { action: 'create', reason: 'first build: not in the published batch' };
    case 'full-refresh':
      return { action: 'rebuild', reason: '--full-refresh' };
    case 'inputs':
    case 'definition':
      return { action: 'rebuild', reason: change.reason };
  }
}
