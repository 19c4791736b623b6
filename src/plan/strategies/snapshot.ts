import { SNAPSHOT_SCHEMA } from '../../materialize/snapshot.ts';
import { buildStatements } from '../../materialize/statements.ts';
import type { Strategy } from './strategy.ts';

/** Appends the versions that changed to the snapshot's history; publishes a view as of the batch. */
export const snapshotStrategy: Strategy = ({ model, target, sql, columns, previous }) => ({
  action: previous ? 'merge' : 'create',
  reason: previous
    ? `appends the versions changed since the published batch to ${SNAPSHOT_SCHEMA}.${model.name} (${model.config.snapshot?.strategy} strategy)`
    : `first build: every row becomes its first version in ${SNAPSHOT_SCHEMA}.${model.name}`,
  statements: buildStatements(model, { ...target, ...(columns ? { columns } : {}) }, sql),
});
