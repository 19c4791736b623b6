import { SNAPSHOT_SCHEMA } from '../../materialize/snapshot.ts';
import { buildStatements } from '../../materialize/statements.ts';
import { reused, type Strategy } from './strategy.ts';

/**
 * Reused when nothing it reads changed; otherwise appends the versions that changed to the
 * snapshot's history and publishes a view of it as of the batch. Its history is never
 * rebuilt, not even by --full-refresh.
 */
export const snapshotStrategy: Strategy = ({ model, target, sql, columns, change }) => {
  if (change.kind === 'unchanged') return reused(change);
  const statements = buildStatements(model, { ...target, ...(columns ? { columns } : {}) }, sql);
  const history = `${SNAPSHOT_SCHEMA}.${model.name}`;
  if (change.kind === 'new') return { action: 'create', reason: `first build: every row becomes its first version in ${history}`, statements };
  const why = change.kind === 'full-refresh' ? '--full-refresh' : change.reason;
  return { action: 'merge', reason: `${why}; appends the versions changed since the published batch to ${history} (${model.config.snapshot?.strategy} strategy)`, statements };
};
