/**
 * The physical schemas of batches: created only when no one has them, dropped only when
 * no batch that may still be read uses them. A published view reads its batch's schema;
 * dropping one that a published or kept batch uses would make the published layers vanish.
 */
import type { Queryable } from '../engine/engine.ts';
import { quoteIdent } from '../engine/quote.ts';

/**
 * Creates a new batch's schemas, all or none: when one of them already exists (another
 * batch has it, or anything else does), nothing is created and the error says whose it is.
 */
export async function claimSchemas(
  db: Queryable,
  batchId: string,
  schemas: readonly string[],
  /** Every schema the id maps to, built into or not: one already taken refuses the id even when this batch reuses that layer. */
  named: readonly string[] = schemas,
): Promise<void> {
  const { rows } = await db.query<{ schema: string; batches: string[] | null }>(
    `select n.nspname as schema,
            (select array_agg(distinct r.batch_id order by r.batch_id) from strata.batch_relations r where r.physical_schema = n.nspname) as batches
       from pg_namespace n where n.nspname = any($1::text[]) order by 1`,
    [[...new Set([...schemas, ...named])]],
  );
  if (rows.length > 0) {
    const taken = rows.map((r) => `${r.schema} (${r.batches?.length ? `batch ${r.batches.join(', ')}` : 'not a batch of strata'})`).join(', ');
    throw new Error(`batch id ${batchId} needs schema${rows.length > 1 ? 's' : ''} ${taken}, which already exist${rows.length > 1 ? '' : 's'}: choose another --batch-id; nothing was built`);
  }
  for (const s of schemas) {
    await db.query(`create schema ${quoteIdent(s)}`);
    await db.query('insert into strata.batch_schemas (schema_name, batch_id) values ($1, $2)', [s, batchId]);
  }
}

/** The schemas `batchId` created itself (claimSchemas recorded them): the only ones its cleanup may drop. */
export async function schemasCreatedBy(db: Queryable, batchId: string): Promise<string[]> {
  const { rows } = await db.query<{ schema_name: string }>(
    `select b.schema_name from strata.batch_schemas b join pg_namespace n on n.nspname = b.schema_name
      where b.batch_id = $1 order by 1`,
    [batchId],
  );
  return rows.map((r) => r.schema_name);
}

/**
 * The batches other than `owner` that may still be read from `schema`: the current one,
 * published ones (kept for rollback until expired) and running ones.
 */
export async function schemaUsers(db: Queryable, schema: string, owner: string): Promise<string[]> {
  const { rows } = await db.query<{ batch_id: string }>(
    `select distinct r.batch_id from strata.batch_relations r join strata.batches b using (batch_id)
      where r.physical_schema = $1 and r.batch_id <> $2
        and (b.status in ('published', 'running') or r.batch_id in (select batch_id from strata.current_batch))
      order by 1`,
    [schema, owner],
  );
  return rows.map((r) => r.batch_id);
}

/** Drops `schema` of batch `owner` unless another batch still uses it; returns why it was kept, or null. */
export async function dropBatchSchema(db: Queryable, schema: string, owner: string): Promise<string | null> {
  const users = await schemaUsers(db, schema, owner);
  if (users.length > 0) return `schema ${schema} was kept: batch ${users.join(', ')} still uses it`;
  await db.query(`drop schema if exists ${quoteIdent(schema)} cascade`);
  await db.query('delete from strata.batch_schemas where schema_name = $1', [schema]);
  return null;
}
