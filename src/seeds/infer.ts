import { quoteIdent } from '../engine/quote.ts';

/**
 * Column types of a seed, inferred set-based in one pass over a text staging table:
 * for each column, which patterns every non-null value matches. Narrowest type wins.
 */
const CHECKS: { type: string; test: (col: string) => string }[] = [
  { type: 'boolean', test: (c) => `bool_and(${c} ~* '^(true|false|t|f|yes|no)$')` },
  { type: 'integer', test: (c) => `bool_and(${c} ~ '^[-+]?[0-9]{1,9}$')` },
  { type: 'bigint', test: (c) => `bool_and(${c} ~ '^[-+]?[0-9]{1,18}$')` },
  { type: 'numeric', test: (c) => `bool_and(${c} ~ '^[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?$')` },
  { type: 'date', test: (c) => `bool_and(${c} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$')` },
  // Without an offset a date-time is wall-clock time, as dbt infers it: stored as written,
  // whatever the database's time zone. With one it is an instant.
  { type: 'timestamp', test: (c) => `bool_and(${c} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?$')` },
  {
    type: 'timestamptz',
    test: (c) => `bool_and(${c} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[-+][0-9]{2}(:?[0-9]{2})?)?$')`,
  },
];

export function inferenceQuery(staging: string, columns: readonly string[]): string {
  const exprs = columns.flatMap((c, i) => CHECKS.map((check, j) => `coalesce(${check.test(quoteIdent(c))}, false) as c${i}_${j}`));
  return `select ${exprs.join(', ')} from ${staging}`;
}

/** Reads the inference row: the first matching type per column, text when none match. */
export function inferredTypes(row: Record<string, unknown>, columns: readonly string[]): string[] {
  return columns.map((_, i) => CHECKS.find((_, j) => row[`c${i}_${j}`] === true)?.type ?? 'text');
}

/** A cast from text that also reads yes/no as booleans, as the inference allowed. */
export function castExpr(column: string, type: string): string {
  const c = quoteIdent(column);
  if (type === 'boolean') return `(case lower(${c}) when 'yes' then true when 'no' then false else ${c}::boolean end)`;
  return `${c}::${type}`;
}
