import { qualify } from '../../engine/quote.ts';
import { buildStatements } from '../../materialize/statements.ts';
import { reused, type Strategy } from './strategy.ts';
import { tableStrategy } from './table.ts';

/**
 * Reused when unchanged; merged on unique_key when only its inputs changed and the published
 * batch has it as a table; otherwise built in full. A changed model (its SQL, a macro or a
 * var, its config) is rebuilt: merging rows of the new definition into rows of the old would
 * mix two versions in one table.
 */
export const incrementalStrategy: Strategy = (input) => {
  const { model, target, previous, change } = input;
  if (change.kind === 'unchanged') return reused(change);
  if (change.kind !== 'inputs') return tableStrategy(input);
  if (change.inFull.length > 0) return { ...tableStrategy(input), reason: `${change.reason}; rebuilt in full: ${change.inFull.join(', ')} may have changed every row` };
  if (previous?.kind !== 'table') return { ...tableStrategy(input), reason: `${change.reason}; rebuilt in full: the published relation is not a table` };
  const prev = qualify(previous.physicalSchema, target.name);
  return {
    action: 'merge',
    reason: `${change.reason}; merges the rows it selects as incremental with the rows of ${prev} they do not replace, on unique_key (${model.config.uniqueKey.join(', ')})`,
    previous: prev,
    statements: buildStatements(model, { ...target, previous: prev, ...(input.keysFrom ? { keysFrom: input.keysFrom } : {}) }, input.sql, input.incrementalSql(prev)),
  };
};
