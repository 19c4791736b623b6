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
}

export function writerMark(now = new Date()): WriterMark {
  return { pid: process.pid, host: hostname(), startedAt: now.toISOString() };
}

export async function readWriterMark(dir: string): Promise<WriterMark | null> {
  try {
    const mark = JSON.parse(await readFile(join(dir, WRITER_FILE), 'utf8')) as Partial<WriterMark>;
    return typeof mark.pid === 'number' && typeof mark.host === 'string' ? { pid: mark.pid, host: mark.host, startedAt: String(mark.startedAt ?? '') } : null;
  } catch {
    return null;
  }
}
