import { buildStatements } from '../../materialize/statements.ts';
import { fullBuildReason, reused, type Strategy } from './strategy.ts';

/** A table is reused while its SQL, config and inputs are unchanged; otherwise rebuilt in full. */
export const tableStrategy: Strategy = ({ model, target, sql, change }) =>
  change.kind === 'unchanged'
    ? reused(change)
    : { ...fullBuildReason(change), statements: buildStatements({ ...model, config: { ...model.config, materialized: 'table' } }, target, sql) };
