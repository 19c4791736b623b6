import { buildStatements } from '../../materialize/statements.ts';
import type { Strategy } from './strategy.ts';

/** A table is rebuilt in full in each batch that builds it. */
export const tableStrategy: Strategy = ({ model, target, sql, previous }) => ({
  action: previous ? 'rebuild' : 'create',
  reason: previous ? 'a table is rebuilt in full in each batch that builds it' : 'first build',
  statements: buildStatements({ ...model, config: { ...model.config, materialized: 'table' } }, target, sql),
});
