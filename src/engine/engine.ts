/**
 * The one seam between strata and a database. Two implementations: node-postgres
 * (a pooled server, Neon, PgBouncer) and PGlite (embedded, one session).
 *
 * Nothing here relies on session state surviving between calls: on a transaction-mode
 * pooler each call may land on another server connection. Work that must share a
 * connection goes through `transaction`, which pins one for its duration.
 */
export type Row = Record<string, unknown>;

export interface QueryResult<R = Row> {
  rows: R[];
  /** Rows inserted, updated, deleted or copied, when the statement reports it. */
  rowCount: number;
  /** The result's columns and their type oids, when the driver reports them (`serve` describes its endpoints with them). */
  fields?: { name: string; dataTypeID: number }[];
}

export interface Queryable {
  /**
   * One statement, optionally with $1.. parameters. `prepared` names it: a server connection
   * then parses it once and may reuse its plan (the embedded engine ignores the name). Only
   * for a statement whose text never changes under that name, on a direct connection (a
   * transaction-mode pooler cannot keep a connection's prepared statements).
   */
  query<R = Row>(sql: string, params?: readonly unknown[], prepared?: string): Promise<QueryResult<R>>;
  /** Several statements separated by `;`, no parameters (migrations, DDL scripts). */
  exec(sql: string): Promise<void>;
  /** `COPY … FROM STDIN` fed from a byte stream; returns the rows copied. */
  copyFrom(copySql: string, data: AsyncIterable<Uint8Array>): Promise<number>;
  /** `COPY … TO STDOUT` as a byte stream (binary or text, as the statement asks). */
  copyTo(copySql: string): AsyncIterable<Uint8Array>;
}

export type EngineKind = 'postgres' | 'pglite';

export interface Engine extends Queryable {
  readonly kind: EngineKind;
  /** How many statements may run at once (1 on PGlite). */
  readonly maxConcurrency: number;
  /** Where it points, safe to print: the URL with its password masked, or the data dir. */
  readonly label: string;
  /** Runs `fn` in one transaction on one connection; commits, or rolls back on throw. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** A client for postgres-migrations: one connection for the whole migration run. */
  withSession<T>(fn: (session: MigrationClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The subset of a pg client that postgres-migrations calls. */
export interface MigrationClient {
  query(textOrConfig: string | { text: string; values?: unknown[] }): Promise<{ rows: Row[] }>;
}
