import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Engine, MigrationClient, QueryResult, Queryable, Row } from './engine.ts';
import { acquireFileLock } from './file-lock.ts';

type PgliteSession = PGlite | Transaction;

/** PGlite reads COPY input from and writes COPY output to a virtual `/dev/blob`. */
function toDevBlob(copySql: string, direction: 'from' | 'to'): string {
  const pattern = direction === 'from' ? /\bfrom\s+stdin\b/i : /\bto\s+stdout\b/i;
  if (!pattern.test(copySql)) throw new Error(`expected a COPY … ${direction === 'from' ? 'FROM STDIN' : 'TO STDOUT'}: ${copySql}`);
  return copySql.replace(pattern, `${direction} '/dev/blob'`);
}

async function collect(data: AsyncIterable<Uint8Array>): Promise<Blob> {
  const parts: Uint8Array[] = [];
  for await (const chunk of data) parts.push(chunk);
  return new Blob(parts as BlobPart[]);
}

function queryable(session: PgliteSession): Queryable {
  return {
    async query<R = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const res = await session.query<R>(sql, params as unknown[] | undefined);
      // PGlite keeps the command tag's count (e.g. `SELECT 7` of CREATE TABLE AS) in rowCount; affectedRows only covers DML.
      const tagged = (res as { rowCount?: number }).rowCount;
      return { rows: res.rows, rowCount: tagged ?? res.affectedRows ?? res.rows.length, fields: res.fields };
    },
    async exec(sql: string): Promise<void> {
      await session.exec(sql);
    },
    async copyFrom(copySql: string, data: AsyncIterable<Uint8Array>): Promise<number> {
      const res = await session.query(toDevBlob(copySql, 'from'), [], { blob: await collect(data) });
      return res.affectedRows ?? 0;
    },
    async *copyTo(copySql: string): AsyncIterable<Uint8Array> {
      const res = await session.query(toDevBlob(copySql, 'to'));
      if (res.blob) yield new Uint8Array(await res.blob.arrayBuffer());
    },
  };
}

/** PGlite's client for postgres-migrations: plain text may hold several statements. */
function migrationClient(db: PGlite): MigrationClient {
  return {
    async query(q) {
      const { text, values } = typeof q === 'string' ? { text: q, values: undefined } : q;
      if (values && values.length > 0) return { rows: (await db.query<Row>(text, values)).rows };
      const results = await db.exec(text);
      return { rows: (results.at(-1)?.rows ?? []) as Row[] };
    },
  };
}

/**
 * The embedded engine. One PGlite instance is one Postgres session, so it runs one
 * statement at a time, and only one process may open a data directory at once.
 */
export async function createPgliteEngine(dataDir: string, opts: { lockTimeoutMs?: number } = {}): Promise<Engine> {
  const release = await acquireFileLock(`${dataDir}.lock`, `the embedded database ${dataDir}`, opts.lockTimeoutMs ?? 30_000);
  let db: PGlite;
  try {
    db = await PGlite.create(dataDir);
  } catch (err) {
    release();
    throw err;
  }
  return engineOf(db, `embedded PGlite (${dataDir})`, release);
}

/**
 * A throw-away embedded database in memory: no file, no lock, gone on close (unit tests
 * run there, so they need no server and leave nothing behind).
 */
export async function createMemoryPgliteEngine(): Promise<Engine> {
  return engineOf(await PGlite.create(), 'embedded PGlite (in memory)', () => undefined);
}

function engineOf(db: PGlite, label: string, release: () => void): Engine {
  return {
    ...queryable(db),
    kind: 'pglite',
    maxConcurrency: 1,
    label,
    transaction: (fn) => db.transaction((tx) => fn(queryable(tx))),
    withSession: (fn) => fn(migrationClient(db)),
    async close(): Promise<void> {
      try {
        await db.close();
      } finally {
        release();
      }
    },
  };
}
