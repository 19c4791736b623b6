import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { StrataError } from '../core/errors.ts';
import { removeDirDurably } from './atomic-fs.ts';
import { listBatches, type BatchInfo } from './batches.ts';
import { readManifest } from './manifest.ts';
import { checkTableFile } from './verify.ts';

export interface PruneOptions {
  /** Report what would go, delete nothing. */
  dryRun?: boolean;
  /** Copy each batch (parquet files and manifest) to `<archiveDir>/<layer>/batch=<id>/` before deleting it. */
  archiveDir?: string;
  now?: Date;
}

export interface PruneResult {
  dryRun: boolean;
  /** Deleted (or, on a dry run, to be deleted). */
  deleted: BatchInfo[];
  kept: BatchInfo[];
  /** Where each deleted batch was archived (with --archive). */
  archived: string[];
  freedBytes: number;
}

const DAY_MS = 86_400_000;

/**
 * Deletes complete batches that finished more than `retentionDays` ago. The active batch
 * is always kept, whatever its age; incomplete ones are left to `cleanIncompleteBatches`.
 */
export async function pruneBatches(lakeDir: string, layer: string, retentionDays: number, opts: PruneOptions = {}): Promise<PruneResult> {
  if (!Number.isFinite(retentionDays) || retentionDays < 0) {
    throw new StrataError(`retention must be a number of days ≥ 0 (got ${retentionDays})`);
  }
  const batches = await listBatches(lakeDir, layer, opts.now ? { now: opts.now } : {});
  const limit = retentionDays * DAY_MS;
  const result: PruneResult = { dryRun: opts.dryRun ?? false, deleted: [], kept: [], archived: [], freedBytes: 0 };
  for (const b of batches) {
    if (b.active || !b.complete || b.ageMs <= limit) {
      result.kept.push(b);
      continue;
    }
    if (opts.archiveDir) {
      const to = join(opts.archiveDir, layer, basename(b.dir));
      if (!opts.dryRun) await archiveBatch(b, to, layer);
      result.archived.push(to);
    }
    if (!opts.dryRun) await removeDirDurably(b.dir);
    result.deleted.push(b);
    result.freedBytes += b.sizeBytes;
  }
  return result;
}

/**
 * Copies a batch directory (parquet files and manifest) under a temporary name, verifies
 * the copy against its manifest (presence, size, sha256, rows), then renames it into
 * place: an archive directory is complete or absent. An existing archive is never replaced.
 */
async function archiveBatch(b: BatchInfo, to: string, layer: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  if (existsSync(to)) throw new StrataError(`cannot archive ${layer} batch ${b.id}: ${to} already exists; nothing was deleted`);
  const partial = `${to}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await cp(b.dir, partial, { recursive: true, errorOnExist: true, force: false });
  const manifest = await readManifest(partial);
  for (const table of manifest.tables) {
    const problems = await checkTableFile(partial, table);
    if (problems.length > 0) {
      await rm(partial, { recursive: true, force: true });
      throw new StrataError(`archiving ${layer} batch ${b.id}: the copy of ${table.file} is not intact (${problems.join('; ')}); nothing was deleted`);
    }
  }
  await rename(partial, to);
}
