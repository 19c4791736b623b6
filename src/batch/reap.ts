import type { Queryable } from '../engine/engine.ts';
import { dropBatchSchema, schemasCreatedBy } from './schemas.ts';

export interface ReapedBatch {
  batchId: string;
  /** Physical schemas of the dead build that were dropped. */
  dropped: string[];
}

/**
 * Batches whose build died (killed, crashed, lost its machine) stay `running` and keep
 * their half-built schemas. The caller holds the build lock, so no other build is live:
 * every `running` batch but `except` is dead. Each is marked failed and the schemas it
 * created are dropped through the guard of `dropBatchSchema`.
 */
export async function reapDeadBatches(db: Queryable, opts: { except?: string; by: string }): Promise<ReapedBatch[]> {
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
    reaped.push({ batchId: batch_id, dropped: await dropSchemasOfBatch(db, batch_id) });
  }
  return reaped;
}

/** Drops the schemas `batchId` created (never one that only carries its name), through the guard. */
export async function dropSchemasOfBatch(db: Queryable, batchId: string): Promise<string[]> {
  const dropped: string[] = [];
  for (const schema of await schemasCreatedBy(db, batchId)) if ((await dropBatchSchema(db, schema, batchId)) === null) dropped.push(schema);
  return dropped;
}
