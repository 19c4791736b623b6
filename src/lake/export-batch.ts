import { mkdir, open, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { StrataError } from '../core/errors.ts';
import { ioFailure } from '../core/io-errors.ts';
import { inside } from '../core/paths.ts';
import { processAlive } from '../core/process.ts';
import type { Engine, Queryable } from '../engine/engine.ts';
import { readActive, writeActive } from './active.ts';
import { commitRename, fsyncDir, removeDirDurably, tempPath } from './atomic-fs.ts';
import type { BatchLimits } from './copy-binary-decoder.ts';
import { largestFirst } from './export-order.ts';
import { exportTable } from './export-table.ts';
import {
  batchDir,
  checkBatchId,
  checkTableName,
  layerDir,
  MANIFEST_FILE,
  readWriterMark,
  tableFileName,
  WRITER_FILE,
  writerMark,
} from './layout.ts';
import { MANIFEST_FORMAT, strataVersion, writeManifest, type BatchManifest, type ManifestTable } from './manifest.ts';
import { DEFAULT_PARQUET_SETTINGS, type ParquetWriterSettings } from './parquet-encoder.ts';
import { createParquetWriter, type EncoderThread } from './parquet-writer.ts';
import type { ColumnSpec } from './pg-columns.ts';
import { placeReusedFile, type ReusedFile } from './reuse-files.ts';
import { withSharedSnapshot } from './shared-snapshot.ts';
import { decodeHere, decodeInWorker, type TableFileWriter } from './table-writer.ts';
import { manifestColumn } from './type-mapping.ts';

/** Two tables at once: on two cores, one table's COPY and decoding beside another's encoding. */
const DEFAULT_PARALLEL_TABLES = 2;

export interface ExportTableSpec {
  /** The file's name in the batch (`<name>.parquet`), usually the model name. */
  name: string;
  /** Schema-qualified, quoted SQL name of the relation to export. */
  relation: string;
  modelChecksum?: string;
  /** Columns to export; read from the catalog when omitted. */
  columns?: readonly ColumnSpec[];
  /** An earlier batch's file of the very same relation: taken over, not written again (src/lake/reuse-files.ts). */
  reuse?: ReusedFile;
  /**
   * Resolves once the relation holds its final rows, when the caller is still making it (a
   * build hands over each table as its model finishes); rejects when it never will.
   */
  ready?: Promise<unknown>;
}

export interface TableExported {
  table: string;
  rows: number;
  bytes: number;
  durationMs: number;
  /** The lake batch whose file was taken over, when it was. */
  reusedFrom?: string;
}

export interface ExportBatchOptions {
  engine: Engine;
  lakeDir: string;
  layer: string;
  batchId: string;
  tables: readonly ExportTableSpec[];
  /** Point `<layer>/active` at the batch once it is complete. */
  activate: boolean;
  /** Checksums of every model of the build, recorded in the manifest. */
  modelChecksums?: Record<string, string>;
  parquet?: Partial<ParquetWriterSettings>;
  encoder?: EncoderThread;
  /**
   * Tables read and written at once (each on its own connection, all in one snapshot, each
   * with its own encoder): the server's COPY of one overlaps the encoding of another.
   * Capped by the engine's connections; PGlite reads one at a time. Default: 2, or 1 for a
   * small export.
   */
  parallelTables?: number;
  batchLimits?: BatchLimits;
  /** Progress, once per table written. */
  onTable?: (done: TableExported) => void;
  /**
   * The export runs beside other work (a build's models) that comes first: each table that
   * is not small is decoded and encoded on a worker thread of the lowest CPU priority.
   */
  background?: boolean;
  /**
   * The manifest is written and `active` moved only once this resolves (a build: its
   * publish); when it rejects, the batch is removed instead.
   */
  commitAfter?: Promise<unknown>;
}

export interface ExportBatchResult {
  batchId: string;
  layer: string;
  dir: string;
  manifest: BatchManifest;
  activated: boolean;
  /** What `active` named before (null: nothing). */
  previousActive: string | null;
  durationMs: number;
}

function checkTables(tables: readonly ExportTableSpec[]): void {
  if (tables.length === 0) throw new StrataError('nothing to export: no tables given');
  const seen = new Set<string>();
  for (const t of tables) {
    checkTableName(t.name);
    if (seen.has(t.name)) throw new StrataError(`table ${t.name} is listed twice for one batch`);
    seen.add(t.name);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Claims `dir` for this process. A leftover of a crashed export under the same id is
 * removed; a complete batch or one a live process is writing is never touched.
 */
async function claimBatchDir(dir: string, batchId: string, layer: string): Promise<void> {
  if (await exists(dir)) {
    if (await exists(join(dir, MANIFEST_FILE))) {
      throw new StrataError(`batch ${batchId} already exists in the ${layer} lake (${dir}); a batch is never overwritten, use a new batch id`);
    }
    const writer = await readWriterMark(dir);
    if (writer && processAlive(writer.pid, writer.host, writer.start)) {
      throw new StrataError(`batch ${batchId} is being written by process ${writer.pid} on ${writer.host} since ${writer.startedAt}`);
    }
    await removeDirDurably(dir);
  }
  await mkdir(dir);
  const mark = await open(join(dir, WRITER_FILE), 'wx');
  try {
    await mark.writeFile(JSON.stringify(writerMark()));
    await mark.sync();
  } finally {
    await mark.close();
  }
  await fsyncDir(dir);
}

/**
 * Below this much table data everything stays on this thread and one connection: starting a
 * worker (and, under tsx, its loader) costs ≈1 s of CPU, more than a few MiB take to encode.
 */
const SMALL_EXPORT_BYTES = 32 * 1024 * 1024;

async function isSmallExport(engine: Engine, tables: readonly ExportTableSpec[]): Promise<boolean> {
  if (tables.length === 0) return true;
  const { rows } = await engine.query<{ bytes: string | number | null }>(
    'select sum(pg_total_relation_size(to_regclass(r))) as bytes from unnest($1::text[]) as r',
    [tables.map((t) => t.relation)],
  );
  return Number(rows[0]?.bytes ?? 0) < SMALL_EXPORT_BYTES;
}

/**
 * Exports tables as one lake batch: each file streamed to a temp name, fsynced, renamed;
 * the manifest last; `active` switched only after that. All tables are read in
 * repeatable-read transactions sharing one snapshot, so the batch is one consistent state
 * (several tables at once on PostgreSQL, see `parallelTables`). On failure the
 * partial batch is removed and `active` is untouched; after a crash, the leftovers are
 * what `findIncompleteBatches` reports.
 */
export async function exportBatch(opts: ExportBatchOptions): Promise<ExportBatchResult> {
  const started = new Date();
  const t0 = performance.now();
  checkBatchId(opts.batchId);
  checkTables(opts.tables);
  const layerPath = layerDir(opts.lakeDir, opts.layer);
  const dir = batchDir(opts.lakeDir, opts.layer, opts.batchId);
  try {
    await mkdir(layerPath, { recursive: true });
    await claimBatchDir(dir, opts.batchId, opts.layer);
    await fsyncDir(layerPath);
  } catch (err) {
    throw ioFailure('write', dir, err);
  }

  const settings: ParquetWriterSettings = { ...DEFAULT_PARQUET_SETTINGS, ...opts.parquet };
  settings.metadata = { ...settings.metadata, 'strata.batch_id': opts.batchId, 'strata.layer': opts.layer };
  const tables: (ManifestTable | undefined)[] = [];
  const pendingTemps = new Set<string>();

  /** One table into its file: taken over from an earlier batch, or read on `db` and written by `writer`. */
  const writeTable = async (spec: ExportTableSpec, db: Queryable, writer: () => TableFileWriter): Promise<ManifestTable> => {
    const tt = performance.now();
    const file = tableFileName(spec.name);
    const finalPath = inside(dir, file);
    const temp = tempPath(finalPath);
    pendingTemps.add(temp);
    const checksum = spec.modelChecksum ? { modelChecksum: spec.modelChecksum } : {};
    if (spec.reuse) {
      await placeReusedFile(spec.reuse, temp);
      await commitRename(temp, finalPath);
      pendingTemps.delete(temp);
      const { table, batchId } = spec.reuse;
      opts.onTable?.({ table: spec.name, rows: table.rows, bytes: table.bytes, durationMs: performance.now() - tt, reusedFrom: batchId });
      return { name: spec.name, relation: spec.relation, file, rows: table.rows, bytes: table.bytes, sha256: table.sha256, columns: table.columns, ...checksum, reusedFrom: batchId };
    }
    const out = await exportTable({
      db,
      relation: spec.relation,
      path: temp,
      writer: writer(),
      parquet: settings,
      ...(spec.columns ? { columns: spec.columns } : {}),
      ...(opts.batchLimits ? { batchLimits: opts.batchLimits } : {}),
    });
    await commitRename(temp, finalPath);
    pendingTemps.delete(temp);
    opts.onTable?.({ table: spec.name, rows: out.rows, bytes: out.bytes, durationMs: performance.now() - tt });
    return { name: spec.name, relation: spec.relation, file, rows: out.rows, bytes: out.bytes, sha256: out.sha256, columns: out.plans.map(manifestColumn), ...checksum };
  };

  const toRead = opts.tables.filter((t) => !t.reuse);
  // Tables still being made cannot share a snapshot taken now: each is read once it is
  // ready (final from then on), on its own, and sized then.
  const waiting = opts.tables.some((t) => t.ready);
  const small = waiting ? undefined : await isSmallExport(opts.engine, toRead);
  const lanes = Math.max(1, Math.min(opts.parallelTables ?? (small ? 1 : DEFAULT_PARALLEL_TABLES), toRead.length, opts.engine.maxConcurrency));
  // Files taken over first (nothing to read), then the tables to read: largest first when in
  // parallel, or as they become ready.
  const readAt = opts.tables.flatMap((t, i) => (t.reuse ? [] : [i]));
  const reusedAt = opts.tables.flatMap((t, i) => (t.reuse ? [i] : []));
  const readOrder = lanes > 1 && !waiting ? (await largestFirst(opts.engine, toRead.map((t) => t.relation))).map((k) => readAt[k]!) : readAt;
  const order = waiting ? inReadyOrder(opts.tables, [...reusedAt, ...readOrder]) : fromList([...reusedAt, ...readOrder]);
  const writers = new Map<string, TableFileWriter>();
  try {
    const read = async (sessions: Queryable[]): Promise<void> => {
      // Each session takes the next table until none is left or one failed; a failure
      // lets the tables already being written finish before the batch is removed.
      let failed = false;
      const lane = async (db: Queryable, k: number): Promise<void> => {
        while (!failed) {
          try {
            const next = await order.next();
            if (next.done) return;
            const spec = opts.tables[next.value]!;
            const inline = small ?? (spec.reuse ? true : await isSmallExport(opts.engine, [spec]));
            // One table at a time decodes here; several at once, or beside a build, each on a
            // thread of their own; a small one is not worth a thread.
            const writer = (): TableFileWriter => {
              const key = `${k}:${inline}`;
              let w = writers.get(key);
              if (!w) {
                const threaded = !inline && (sessions.length > 1 || opts.background === true);
                w = threaded ? decodeInWorker({ lowPriority: opts.background === true }) : decodeHere(createParquetWriter(opts.encoder ?? (inline ? 'inline' : 'worker')));
                writers.set(key, w);
              }
              return w;
            };
            tables[next.value] = await writeTable(spec, db, writer);
          } catch (err) {
            failed = true;
            throw err;
          }
        }
      };
      const settled = await Promise.allSettled(sessions.map(lane));
      const failure = settled.find((r) => r.status === 'rejected');
      if (failure) throw failure.reason;
    };
    if (waiting) await read(Array.from({ length: lanes }, () => opts.engine));
    else await withSharedSnapshot(opts.engine, lanes, read);
    await opts.commitAfter;
  } catch (err) {
    await Promise.all([...writers.values()].map((w) => w.close()));
    await Promise.all([...pendingTemps].map((temp) => unlink(temp).catch(() => undefined)));
    await removeDirDurably(dir).catch(() => undefined);
    throw ioFailure('write', dir, err);
  }
  await Promise.all([...writers.values()].map((w) => w.close()));

  const modelChecksums: Record<string, string> = { ...opts.modelChecksums };
  for (const t of opts.tables) if (t.modelChecksum) modelChecksums[t.name] ??= t.modelChecksum;
  const manifest: BatchManifest = {
    format: MANIFEST_FORMAT,
    batchId: opts.batchId,
    layer: opts.layer,
    strataVersion: await strataVersion(),
    createdAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    parquet: { compression: settings.compression, rowGroupRows: settings.rowGroupRows, rowGroupBytes: settings.rowGroupBytes },
    modelChecksums,
    tables: tables.map((t) => t!),
  };
  await writeManifest(dir, manifest);
  await unlink(join(dir, WRITER_FILE));
  await fsyncDir(dir);

  const previousActive = await readActive(opts.lakeDir, opts.layer);
  if (opts.activate) await writeActive(opts.lakeDir, opts.layer, opts.batchId);
  return { batchId: opts.batchId, layer: opts.layer, dir, manifest, activated: opts.activate, previousActive, durationMs: performance.now() - t0 };
}

async function* fromList(indexes: readonly number[]): AsyncGenerator<number> {
  yield* indexes;
}

/** The indexes of `tables`, each as soon as its table is ready; throws when one never will be. */
async function* inReadyOrder(tables: readonly ExportTableSpec[], indexes: readonly number[]): AsyncGenerator<number> {
  const pending = new Map(
    indexes.map((i) => {
      const ready = Promise.resolve(tables[i]!.ready).then(() => i);
      // Handled here: the ones still pending when another fails are never raced again.
      ready.catch(() => undefined);
      return [i, ready] as const;
    }),
  );
  while (pending.size > 0) {
    const i = await Promise.race(pending.values());
    pending.delete(i);
    yield i;
  }
}
