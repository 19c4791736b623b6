/**
 * Where things live in the lake:
 *
 *   <lakeDir>/<layer>/batch=<id>/<table>.parquet
 *   <lakeDir>/<layer>/batch=<id>/manifest.json      written last: its presence = complete
 *   <lakeDir>/<layer>/batch=<id>/.writer             pid/host of the exporter while it runs
 *   <lakeDir>/<layer>/active                         the published batch id
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StrataError } from '../core/errors.ts';
import { inside } from '../core/paths.ts';
import { ownProcessStart } from '../core/process.ts';

export const MANIFEST_FILE = 'manifest.json';
export const ACTIVE_FILE = 'active';
export const WRITER_FILE = '.writer';
const BATCH_PREFIX = 'batch=';

/** Names that become path segments: no separators, no leading dot, nothing a shell or URL mangles. */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

function checkName(what: string, name: string): string {
  if (!SAFE_NAME.test(name)) {
    throw new StrataError(`${what} ${JSON.stringify(name)} is not allowed: use letters, digits, _ . - (not starting with . or -), at most 128 characters`);
  }
  return name;
}

export const checkBatchId = (id: string): string => checkName('batch id', id);
export const checkLayer = (layer: string): string => checkName('lake layer', layer);
export const checkTableName = (name: string): string => checkName('table name', name);

export function layerDir(lakeDir: string, layer: string): string {
  return inside(lakeDir, checkLayer(layer));
}

export function batchDirName(id: string): string {
  return BATCH_PREFIX + checkBatchId(id);
}

export function batchDir(lakeDir: string, layer: string, id: string): string {
  return inside(layerDir(lakeDir, layer), batchDirName(id));
}

/** The batch id of a `batch=<id>` directory name, or null. */
export function parseBatchDirName(name: string): string | null {
  if (!name.startsWith(BATCH_PREFIX)) return null;
  const id = name.slice(BATCH_PREFIX.length);
  return SAFE_NAME.test(id) ? id : null;
}

export function tableFileName(table: string): string {
  return `${checkTableName(table)}.parquet`;
}

/** Who is writing a batch: a live writer's batch is in progress, not abandoned. */
export interface WriterMark {
  pid: number;
  host: string;
  startedAt: string;
  /** The writing process's start (core/process.ts): its pid may be another process's later. */
  start: number | null;
}

export function writerMark(now = new Date()): WriterMark {
  return { pid: process.pid, host: hostname(), startedAt: now.toISOString(), start: ownProcessStart() };
}

export async function readWriterMark(dir: string): Promise<WriterMark | null> {
  try {
    const mark = JSON.parse(await readFile(join(dir, WRITER_FILE), 'utf8')) as Partial<WriterMark>;
    return typeof mark.pid === 'number' && typeof mark.host === 'string'
      ? { pid: mark.pid, host: mark.host, startedAt: String(mark.startedAt ?? ''), start: typeof mark.start === 'number' ? mark.start : null }
      : null;
  } catch {
    return null;
  }
}

/**
 * The lake batch a database batch came from: `lake restore` publishes lake batch X as the
 * new database batch `X-restore-<time>` (database batch ids are never reused; earlier
 * versions wrote `X.restored-<time>`).
 */
export function lakeIdOf(dbBatchId: string): string {
  return dbBatchId.replace(/(-restore|\.restored)-[a-z0-9]+$/, '');
}

/** `X` restored as a new database batch: the id that says where it came from. */
export function restoredBatchId(lakeId: string, now = Date.now()): string {
  // Seconds in base 36: a lake id of 23 characters stays within the 40 of a batch id.
  return `${lakeId}-restore-${Math.floor(now / 1000).toString(36)}`;
}

/**
 * When a batch was built, from its id (`20261122T070226Z-3f9a1c`), or null for an id that
 * carries no time (a custom --batch-id). Batches are ordered and aged by this, not by when
 * they were exported: re-exporting an old batch does not make it new.
 */
export function batchTimeOf(id: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})t(\d{2})(\d{2})(\d{2})z/i.exec(id);
  if (!m) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isFinite(t) ? t : null;
}
