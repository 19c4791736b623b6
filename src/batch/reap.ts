import type { Queryable } from '../engine/engine.ts';
import { quoteIdent } from '../engine/quote.ts';
import { physicalSchema } from './naming.ts';

/**
 * Drops one physical schema unless a batch that must stay readable uses it: the current
 * batch or any published one (a published batch may read an unchanged incremental model
 * from an older batch's schema). Checked right before every drop, by every caller.
 * Returns whether it dropped.
 */
export async function dropBatchSchema(db: Queryable, schema: string): Promise<boolean> {
  const { rows } = await db.query<{ batch_id: string }>(
    `select r.batch_id from strata.batch_relations r join strata.batches b using (batch_id)
      where r.physical_schema = $1
        and (b.status = 'published' or b.batch_id in (select batch_id from strata.current_batch))
      limit 1`,
    [schema],
  );
  if (rows.length > 0) return false;
  await db.query(`drop schema if exists ${quoteIdent(schema)} cascade`);
  return true;
}

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
  for (const { nspname } of rows) if (await dropBatchSchema(db, nspname)) dropped.push(nspname);
  return dropped;
}
