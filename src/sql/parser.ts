import type * as LibPgQuery from 'libpg-query';
import type { ParseResult } from 'libpg-query';

/**
 * PostgreSQL's parser (libpg-query, WebAssembly). Importing the package starts compiling its
 * module, so it is imported here only, when a command first reads SQL: commands that never do
 * (health, metrics, batches, the lake's) start without it.
 */
let parser: typeof LibPgQuery | undefined;
let parserReady: Promise<void> | undefined;

/** Loads the parser once per process; `parseSql` works once this resolved. */
export const loadSqlParser = (): Promise<void> =>
  (parserReady ??= import('libpg-query').then(async (loaded) => {
    await loaded.loadModule();
    parser = loaded;
  }));

/** The parse tree of `sql`; throws libpg-query's error (with `sqlDetails`) for SQL it cannot read. */
export function parseSql(sql: string): ParseResult {
  if (!parser) throw new Error('the SQL parser is not loaded: await loadSqlParser() first');
  return parser.parseSync(sql);
}

/** libpg-query's error about the SQL it was given (not one of the parser itself). */
export type SqlError = Error & { sqlDetails: { cursorPosition?: number } };

/**
 * The parse tree of `sql`, or the error that says why it is not SQL the parser reads. A parser
 * that failed itself (not loaded) still throws: "not loaded" must never read as "not SQL".
 */
export function parseSqlOrError(sql: string): ParseResult | SqlError {
  try {
    return parseSql(sql);
  } catch (err) {
    if (err instanceof Error && (err as { sqlDetails?: unknown }).sqlDetails) return err as SqlError;
    throw err;
  }
}
