import type { CompiledModel } from '../compile/types.ts';
import { quoteIdent } from '../engine/quote.ts';

/** One SQL statement of a model's build, with what its row count means. */
export interface Statement {
  sql: string;
  /** Where the model's row count comes from: the rows this statement wrote, or the `n` it selects. */
  rows?: 'written' | 'selected';
  /** The rows this statement wrote are the rows an incremental merge touched. */
  merged?: boolean;
}

/** Everything after the data is in place: indexes from config, then fresh statistics. */
export function finishTable(model: CompiledModel, rel: string): Statement[] {
  return [
    ...model.config.indexes.map((ix) => ({
      sql: `create ${ix.unique ? 'unique ' : ''}index on ${rel} (${ix.columns.map(quoteIdent).join(', ')})`,
    })),
    { sql: `analyze ${rel}` },
  ];
}
