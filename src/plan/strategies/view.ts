import { buildStatements } from '../../materialize/statements.ts';
import type { Strategy } from './strategy.ts';

/** A view costs nothing to create: created in every batch that builds it. */
export const viewStrategy: Strategy = ({ model, target, sql, previous }) => ({
  action: previous ? 'rebuild' : 'create',
  reason: previous ? 'a view is created again in each batch that builds it (it costs no data)' : 'first build',
  statements: buildStatements(model, target, sql),
});
