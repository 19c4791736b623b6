import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { processAlive } from '../core/process.ts';
import { readActive } from './active.ts';
import { parseDeletingName, parseTempName, removeDirDurably } from './atomic-fs.ts';
import { batchTimeOf, layerDir, parseBatchDirName, readWriterMark } from './layout.ts';
import { readManifest, type BatchManifest } from './manifest.ts';
import { byCodeUnits } from '../core/order.ts';

export interface BatchInfo {
  id: string;
  dir: string;
  /** Has a readable manifest: everything in it was written and renamed into place. */
  complete: boolean;
  active: boolean;
  /** A live process is still writing it. */
  inProgress: boolean;
  /** Bytes of all files in the batch directory. */
  sizeBytes: number;
  /** Rows per table, from the manifest ({} when incomplete). */
  rows: Record<string, number>;
  createdAt: string | null;
  finishedAt: string | null;
  /** Since the batch was built (its id's time), else since its export finished (or, when incomplete, its directory last changed). */
  ageMs: number;
  /** Why it is incomplete. */
  problem?: string;
  manifest: BatchManifest | null;
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await dirSize(path) : (await stat(path)).size;
  }
  return total;
}

async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

async function inspectBatch(dir: string, id: string, active: string | null, now: number): Promise<BatchInfo> {
  const info = await stat(dir);
  const sizeBytes = await dirSize(dir);
  let manifest: BatchManifest | null = null;
  let problem: string | undefined;
  try {
    manifest = await readManifest(dir);
    if (manifest.batchId !== id) problem = `its manifest names batch ${manifest.batchId}`;
  } catch (err) {
    problem = (err as Error).message;
  }
  const writer = manifest ? null : await readWriterMark(dir);
  const complete = manifest !== null && problem === undefined;
  const finishedAt = manifest?.finishedAt ?? null;
  const since = batchTimeOf(id) ?? (finishedAt ? Date.parse(finishedAt) : info.mtimeMs);
  return {
    id,
    dir,
    complete,
    active: id === active,
    inProgress: writer !== null && processAlive(writer.pid, writer.host, writer.start),
    sizeBytes,
    rows: Object.fromEntries((manifest?.tables ?? []).map((t) => [t.name, t.rows])),
    createdAt: manifest?.createdAt ?? null,
    finishedAt,
    ageMs: Math.max(0, now - since),
    ...(problem ? { problem } : {}),
    manifest,
  };
}

/**
 * Every batch of a layer, oldest first: by batch time (the time in its id), else by when
 * it was exported, then by id. Re-exporting an old batch does not make it the newest.
 */
export async function listBatches(lakeDir: string, layer: string, opts: { now?: Date } = {}): Promise<BatchInfo[]> {
  const root = layerDir(lakeDir, layer);
  const now = (opts.now ?? new Date()).getTime();
  const active = await readActive(lakeDir, layer);
  const batches: BatchInfo[] = [];
  for (const name of await entries(root)) {
    const id = parseBatchDirName(name);
    if (id !== null) batches.push(await inspectBatch(join(root, name), id, active, now));
  }
  const created = (b: BatchInfo): number => batchTimeOf(b.id) ?? (b.createdAt ? Date.parse(b.createdAt) : now - b.ageMs);
  return batches.sort((a, b) => created(a) - created(b) || byCodeUnits(a.id, b.id));
}

/** Debris a crashed or killed run leaves behind. */
export interface IncompleteEntry {
  kind: 'batch' | 'temp-file' | 'deleting';
  path: string;
  /** The batch it belongs to, when known. */
  batchId: string | null;
  reason: string;
  /** A live process owns it: report, never delete. */
  inProgress: boolean;
}

/**
 * Batch directories without a (valid) manifest, temp files whose writer is gone, and
 * half-finished deletions, in one layer.
 */
export async function findIncompleteBatches(lakeDir: string, layer: string): Promise<IncompleteEntry[]> {
  const root = layerDir(lakeDir, layer);
  const found: IncompleteEntry[] = [];
  const tempFiles = async (dir: string, batchId: string | null): Promise<void> => {
    for (const name of await entries(dir)) {
      const temp = parseTempName(name);
      if (!temp) continue;
      const alive = processAlive(temp.pid);
      found.push({ kind: 'temp-file', path: join(dir, name), batchId, reason: `temp file of ${temp.name} left by process ${temp.pid}${alive ? ' (still running)' : ''}`, inProgress: alive });
    }
  };
  await tempFiles(root, null);
  for (const b of await listBatches(lakeDir, layer)) {
    if (b.complete) await tempFiles(b.dir, b.id);
    else found.push({ kind: 'batch', path: b.dir, batchId: b.id, reason: b.problem ?? 'no manifest', inProgress: b.inProgress });
  }
  for (const name of await entries(root)) {
    const deleting = parseDeletingName(name);
    if (deleting) found.push({ kind: 'deleting', path: join(root, name), batchId: parseBatchDirName(deleting.name), reason: `deletion interrupted (process ${deleting.pid})`, inProgress: processAlive(deleting.pid) });
  }
  return found;
}

export interface CleanupResult {
  removed: IncompleteEntry[];
  /** Left alone: in progress, or named by `active` (which needs a person to look). */
  skipped: IncompleteEntry[];
}

/** Removes what `findIncompleteBatches` reports, except what is in progress or active. */
export async function cleanIncompleteBatches(lakeDir: string, layer: string, opts: { dryRun?: boolean } = {}): Promise<CleanupResult> {
  const active = await readActive(lakeDir, layer);
  const result: CleanupResult = { removed: [], skipped: [] };
  for (const entry of await findIncompleteBatches(lakeDir, layer)) {
    if (entry.inProgress || (entry.kind === 'batch' && entry.batchId === active)) {
      result.skipped.push(entry);
      continue;
    }
    if (!opts.dryRun) {
      if (entry.kind === 'batch') await removeDirDurably(entry.path);
      else await rm(entry.path, { recursive: true, force: true });
    }
    result.removed.push(entry);
  }
  return result;
}
