import type { Queryable } from '../engine/engine.ts';
import { physicalSchema } from './naming.ts';
import { dropBatchSchema } from './schemas.ts';

export interface ReapedBatch {
  batchId: string;
  /** Physical schemas of the dead build that were dropped. */
  dropped: string[];
}

/**
 * Batches whose build died (killed, crashed, lost its machine) stay `running` and keep
 * their half-built schemas. The caller holds the build lock, so no other build is live:
 * every `running` batch but `except` is dead. Each is marked failed and its schemas
 * (one per layer, named after the batch) dropped through the guard above.
 */
export async function reapDeadBatches(
  db: Queryable,
  layerSchemas: readonly string[],
  opts: { except?: string; by: string },
): Promise<ReapedBatch[]> {
  const { rows } = await db.query<{ batch_id: string }>(
    `select batch_id from strata.batches where status = 'running' and batch_id <> $1 order by started_at`,
    [opts.except ?? ''],
  );
  const reaped: ReapedBatch[] = [];
  for (const { batch_id } of rows) {
    await db.query(
      `update strata.batches set status = 'failed', finished_at = now(), error = $2 where batch_id = $1 and status = 'running'`,
      [batch_id, `its build died before finishing (killed or crashed); cleaned up by ${opts.by}`],
    );
    reaped.push({ batchId: batch_id, dropped: await dropSchemasOfBatch(db, layerSchemas, batch_id) });
  }
  return reaped;
}

/** Drops the physical schemas named after `batchId` (one per layer), through the guard. */
export async function dropSchemasOfBatch(db: Queryable, layerSchemas: readonly string[], batchId: string): Promise<string[]> {
  const candidates = [...new Set(layerSchemas.map((s) => physicalSchema(s, batchId)))];
  const { rows } = await db.query<{ nspname: string }>('select nspname::text from pg_namespace where nspname = any($1::text[]) order by nspname', [candidates]);
  const dropped: string[] = [];
  for (const { nspname } of rows) if ((await dropBatchSchema(db, nspname, batchId)) === null) dropped.push(nspname);
  return dropped;
}
