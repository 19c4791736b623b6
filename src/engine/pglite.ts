import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import v8 from 'node:v8';
import { PGlite, type PGliteOptions, type Transaction } from '@electric-sql/pglite';
import { copyPlan, copyPieces } from './copy-chunks.ts';
import type { Engine, MigrationClient, QueryResult, Queryable, Row } from './engine.ts';
import { acquireFileLock } from './file-lock.ts';
import { copyTemplateTo, isNewDataDir, isTemplateComplete, pgliteTemplateDir, saveSpare, saveTemplate, takeSpareTo } from './pglite-template.ts';

type PgliteSession = PGlite | Transaction;

/**
 * V8 recompiles a WebAssembly function with its optimising compiler once it has run about
 * this many bytes of code (V8's default: 1.8 M). PGlite's module is 9 MB: at the default, a
 * short command spends seconds of CPU in background compiles it never pays back (the quick
 * start: 11.2 → 9.3 s of CPU at 100×, the same as never optimising), while a long build
 * still optimises its hot loops. Set before PGlite compiles its module; this module is
 * loaded only when an embedded database is opened.
 */
const WASM_TIERING_BUDGET = 180_000_000;
v8.setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`);

/** PGlite reads COPY input from and writes COPY output to a virtual `/dev/blob`. */
function toDevBlob(copySql: string, direction: 'from' | 'to'): string {
  const pattern = direction === 'from' ? /\bfrom\s+stdin\b/i : /\bto\s+stdout\b/i;
  if (!pattern.test(copySql)) throw new Error(`expected a COPY … ${direction === 'from' ? 'FROM STDIN' : 'TO STDOUT'}: ${copySql}`);
  return copySql.replace(pattern, `${direction} '/dev/blob'`);
}

/** The most COPY input held in memory at once (a piece of a CSV or text stream). */
const COPY_PIECE_BYTES = 16 * 2 ** 20;

/**
 * `COPY … line N` of a piece, as the line of the whole input: a later piece starts with
 * the header again (or with its first record), so its lines are the input's shifted by
 * the lines of the pieces before it.
 */
function shiftCopyLine(err: unknown, linesBefore: number): unknown {
  const e = err as { where?: string };
  if (linesBefore === 0 || typeof e.where !== 'string') return err;
  e.where = e.where.replace(/\bline (\d+)/, (_, n: string) => `line ${Number(n) + linesBefore}`);
  return err;
}

function queryable(session: PgliteSession, copyPieceBytes: number): Queryable {
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
      // One COPY per bounded piece; the caller's transaction (seeds, restore) makes them one load.
      const sql = toDevBlob(copySql, 'from');
      const plan = copyPlan(copySql);
      let rows = 0;
      let linesBefore = 0;
      for await (const piece of copyPieces(data, plan, plan.splittable ? copyPieceBytes : Infinity)) {
        try {
          const res = await session.query(sql, [], { blob: new Blob(piece.bytes as BlobPart[]) });
          rows += res.affectedRows ?? 0;
        } catch (err) {
          throw shiftCopyLine(err, linesBefore);
        }
        linesBefore += piece.lines;
      }
      return rows;
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
/**
 * PGlite's start-up settings. shared_buffers: PGlite touches all of its buffer pool, so
 * initdb's 128 MB default is 128 MB of resident memory; 32 MB holds the quick start's and
 * a 20k-review build's working set (bench/embedded.ts), and the OS caches the rest of
 * the data directory anyway. `STRATA_PGLITE_SHARED_BUFFERS` sets another size.
 */
export function pgliteOptions(env: Record<string, string | undefined> = process.env): PGliteOptions {
  const sharedBuffers = env.STRATA_PGLITE_SHARED_BUFFERS ?? '32MB';
  if (!/^\d+\s*(kB|MB|GB)$/.test(sharedBuffers)) {
    throw new Error(`STRATA_PGLITE_SHARED_BUFFERS must be a size such as 32MB or 1GB, got ${JSON.stringify(sharedBuffers)}`);
  }
  return { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffers}`] };
}

/**
 * Runs PGlite's initdb into `dataDir` and closes it cleanly: nothing of ours is in it yet,
 * so it can become the template. initdb is PGlite's bootstrap in a second instance and a
 * tar through memory: ≈5 s of CPU and ≈750 MB on this machine, whatever the V8 flags.
 * template0 and template1 go: an embedded database is one database that never runs CREATE
 * DATABASE, and they were 600 of the template's 971 files — every new database is a copy
 * of it, and on this machine's disk creating a file costs 0.3–1 ms (a copy: 3.1–4.2 → 0.7–1.4 s
 * wall at load 7).
 */
async function initdbInto(dataDir: string, options: PGliteOptions): Promise<void> {
  const created = await PGlite.create(dataDir, options);
  try {
    await created.exec('alter database template0 is_template false; alter database template1 is_template false');
    await created.exec('drop database template0');
    await created.exec('drop database template1');
  } finally {
    await created.close();
  }
}

/**
 * Opens (creating when new) the data directory. A new one is the installation's spare
 * prepared as `spare` names, when there is one (the first new database, e.g. the quick
 * start's), else a copy of the template; without a template (npm ran without scripts, or another STRATA_CACHE_DIR),
 * PGlite runs initdb here and the result becomes the template.
 */
async function openDataDir(dataDir: string, spare: string | undefined): Promise<PGlite> {
  const options = pgliteOptions();
  if (!isNewDataDir(dataDir)) return PGlite.create(dataDir, options);
  const template = pgliteTemplateDir();
  if ((spare !== undefined && takeSpareTo(template, spare, dataDir)) || copyTemplateTo(template, dataDir)) return PGlite.create(dataDir, options);
  if (!template) return PGlite.create(dataDir, options);
  await initdbInto(dataDir, options);
  saveTemplate(template, dataDir);
  return PGlite.create(dataDir, options);
}

/**
 * Makes the installation's template now, if there is none, and the spare `spare` names,
 * made ready by its `prepare`: `npm install` runs this (package.json postinstall,
 * scripts/pglite-template.ts), so that the first build of a fresh clone takes a ready data
 * directory instead of running initdb or copying the template. Returns where the template
 * is, or null when it cannot be placed (PGlite outside a node_modules).
 */
export async function preparePgliteTemplate(spare?: { tag: string; prepare: (engine: Engine) => Promise<void> }): Promise<string | null> {
  const template = pgliteTemplateDir();
  if (!template) return template;
  if (!isTemplateComplete(template)) {
    const staging = `${template}.initdb-${process.pid}`;
    try {
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(dirname(staging), { recursive: true });
      await initdbInto(staging, pgliteOptions());
      saveTemplate(template, staging);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  if (spare) {
    await saveSpare(template, spare.tag, async (dataDir) => {
      const engine = engineOf(await PGlite.create(dataDir, pgliteOptions()), `embedded PGlite (${dataDir})`, () => undefined, COPY_PIECE_BYTES);
      try {
        await spare.prepare(engine);
      } finally {
        await engine.close();
      }
    });
  }
  return template;
}

/** `spare`: the tag of a spare (made by preparePgliteTemplate) that may become this database if it is new. */
export async function createPgliteEngine(dataDir: string, opts: { lockTimeoutMs?: number; copyPieceBytes?: number; spare?: string } = {}): Promise<Engine> {
  const pieceBytes = opts.copyPieceBytes ?? COPY_PIECE_BYTES;
  const release = await acquireFileLock(`${dataDir}.lock`, `the embedded database ${dataDir}`, opts.lockTimeoutMs ?? 30_000);
  let db: PGlite;
  try {
    db = await openDataDir(dataDir, opts.spare);
  } catch (err) {
    release();
    throw err;
  }
  return engineOf(db, `embedded PGlite (${dataDir})`, release, pieceBytes);
}

/**
 * A throw-away embedded database: no lock, gone on close (unit tests run there, so they
 * need no server and leave nothing behind). A temporary copy of the installation's template
 * when there is one (opening it costs ≈1 s of CPU and ≈200 MB); in memory otherwise, where
 * PGlite runs initdb (≈5 s and ≈600 MB).
 */
export async function createMemoryPgliteEngine(): Promise<Engine> {
  const template = pgliteTemplateDir();
  if (!template || !isTemplateComplete(template)) return engineOf(await PGlite.create(), 'embedded PGlite (in memory)', () => undefined, COPY_PIECE_BYTES);
  const scratch = mkdtempSync(join(tmpdir(), 'strata-pglite-'));
  const remove = (): void => rmSync(scratch, { recursive: true, force: true });
  try {
    const dataDir = join(scratch, 'pglite');
    copyTemplateTo(template, dataDir);
    return engineOf(await PGlite.create(dataDir, pgliteOptions()), `embedded PGlite (throw-away copy in ${dataDir})`, remove, COPY_PIECE_BYTES);
  } catch (err) {
    remove();
    throw err;
  }
}

function engineOf(db: PGlite, label: string, release: () => void, pieceBytes: number): Engine {
  return {
    ...queryable(db, pieceBytes),
    kind: 'pglite',
    maxConcurrency: 1,
    label,
    transaction: (fn) => db.transaction((tx) => fn(queryable(tx, pieceBytes))),
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
