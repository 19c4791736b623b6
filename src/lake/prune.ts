import { StrataError } from '../core/errors.ts';
import { removeDirDurably } from './atomic-fs.ts';
import { listBatches, type BatchInfo } from './batches.ts';

export interface PruneOptions {
  /** Report what would go, delete nothing. */
  dryRun?: boolean;
  now?: Date;
}

export interface PruneResult {
  dryRun: boolean;
  /** Deleted (or, on a dry run, to be deleted). */
  deleted: BatchInfo[];
  kept: BatchInfo[];
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
  const result: PruneResult = { dryRun: opts.dryRun ?? false, deleted: [], kept: [], freedBytes: 0 };
  for (const b of batches) {
    if (b.active || !b.complete || b.ageMs <= limit) {
      result.kept.push(b);
      continue;
    }
    if (!opts.dryRun) await removeDirDurably(b.dir);
    result.deleted.push(b);
    result.freedBytes += b.sizeBytes;
  }
  return result;
}
