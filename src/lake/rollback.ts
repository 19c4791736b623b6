import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StrataError } from '../core/errors.ts';
import { readActive, writeActive } from './active.ts';
import { listBatches, type BatchInfo } from './batches.ts';

export interface RollbackResult {
  layer: string;
  from: string | null;
  to: string;
}

/** A cheap completeness check before publishing: every listed file present at its size. */
async function assertFilesPresent(batch: BatchInfo): Promise<void> {
  for (const table of batch.manifest?.tables ?? []) {
    const path = join(batch.dir, table.file);
    const size = await stat(path).then(
      (s) => s.size,
      () => -1,
    );
    if (size !== table.bytes) {
      throw new StrataError(`batch ${batch.id} is damaged (${path} ${size < 0 ? 'is missing' : `has ${size} bytes, the manifest says ${table.bytes}`}); run \`lake verify\`, refusing to activate it`);
    }
  }
}

/**
 * Points `active` at an earlier complete batch: `toId`, or by default the complete batch
 * built just before the active one. Incomplete or damaged batches are refused.
 */
export async function rollbackLake(lakeDir: string, layer: string, toId?: string): Promise<RollbackResult> {
  const plan = await planLakeRollback(lakeDir, layer, toId);
  if (plan.to !== plan.from) await writeActive(lakeDir, layer, plan.to);
  return plan;
}

/** What `rollbackLake` would do, checked (batch complete, files present) but not done. */
export async function planLakeRollback(lakeDir: string, layer: string, toId?: string): Promise<RollbackResult> {
  const batches = await listBatches(lakeDir, layer);
  const active = await readActive(lakeDir, layer);
  let target: BatchInfo | undefined;
  if (toId !== undefined) {
    target = batches.find((b) => b.id === toId);
    if (!target) {
      const known = batches.filter((b) => b.complete).map((b) => b.id);
      throw new StrataError(`no batch ${toId} in the ${layer} lake; complete batches: ${known.length ? known.join(', ') : 'none'}`);
    }
    if (!target.complete) throw new StrataError(`batch ${toId} is incomplete (${target.problem ?? 'no manifest'}); refusing to activate it`);
  } else {
    if (!active) throw new StrataError(`the ${layer} lake has no active batch to roll back from; name the batch to activate`);
    const at = batches.findIndex((b) => b.id === active);
    target = batches
      .slice(0, Math.max(at, 0))
      .reverse()
      .find((b) => b.complete);
    if (!target) throw new StrataError(`no complete batch older than the active ${active} in the ${layer} lake`);
  }
  await assertFilesPresent(target);
  return { layer, from: active, to: target.id };
}
