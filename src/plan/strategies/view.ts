import { buildStatements } from '../../materialize/statements.ts';
import { fullBuildReason, reused, type Strategy } from './strategy.ts';

/** A view is reused while nothing it reads changed; otherwise created again (it costs no data). */
export const viewStrategy: Strategy = ({ model, target, sql, change }) =>
  change.kind === 'unchanged'
    ? reused(change)
    : { ...fullBuildReason(change), statements: buildStatements(model, target, sql) };
