import { qualify } from '../../engine/quote.ts';
import { buildStatements } from '../../materialize/statements.ts';
import type { Strategy } from './strategy.ts';
import { tableStrategy } from './table.ts';

/**
 * Merged on unique_key when the published batch has it as a table built from the same
 * definition; otherwise built in full. A changed model (its SQL, a macro or a var) is rebuilt:
 * merging rows of the new definition into rows of the old would mix two versions in one table.
 */
export const incrementalStrategy: Strategy = (input) => {
  const { model, target, previous, fullRefresh } = input;
  const full = (action: 'create' | 'rebuild', reason: string) => ({ ...tableStrategy(input), action, reason });
  if (!previous) return full('create', 'first build');
  if (fullRefresh) return full('rebuild', '--full-refresh');
  if (previous.checksum !== model.checksum) return full('rebuild', 'rebuilt in full: the model changed since the published batch');
  if (previous.kind !== 'table') return full('rebuild', 'rebuilt in full: the published relation is not a table');
  const prev = qualify(previous.physicalSchema, target.name);
  return {
    action: 'merge',
    reason: `merges the rows the model selects as incremental into a copy of ${prev}, on unique_key (${model.config.uniqueKey.join(', ')})`,
    previous: prev,
    statements: buildStatements(model, { ...target, previous: prev }, input.sql, input.incrementalSql(prev)),
  };
};
