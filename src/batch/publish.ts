import type { Queryable } from '../engine/engine.ts';
import { qualify, quoteIdent, quoteLiteral } from '../engine/quote.ts';
import { batchRelations, currentBatchId, type BatchRelation } from './state.ts';
import { dropBatchSchema } from './schemas.ts';
import { byCodeUnits } from '../core/order.ts';

interface PgError {
  code?: string;
  message: string;
  detail?: string;
}

const COLUMNS_CHANGED = new Set(['42P16', '42804']);

/**
 * Before seeds were versioned per batch, a seed was a table at its published name (marked
 * by its comment). It is renamed aside (`<name>__strata_legacy`), never dropped: views of
 * kept batches may still read it.
 */
async function legacySeedMovedAside(tx: Queryable, rel: BatchRelation): Promise<boolean> {
  const { rows } = await tx.query<{ comment: string | null }>(
    `select obj_description(c.oid, 'pg_class') as comment from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relname = $2 and c.relkind = 'r'`,
    [rel.publishedSchema, rel.model],
  );
  if (rows[0]?.comment !== 'strata seed') return false;
  await tx.query(`alter table ${qualify(rel.publishedSchema, rel.model)} rename to ${quoteIdent(`${rel.model}__strata_legacy`)}`);
  return true;
}

/**
 * Points one published view at its physical relation. `create or replace` keeps the
 * view's identity, so grants on it and views built on it by others survive. Only when
 * its columns changed incompatibly is it dropped and recreated, and never with CASCADE:
 * if other views depend on it, publishing stops and names them.
 */
async function pointView(tx: Queryable, rel: BatchRelation): Promise<void> {
  const published = qualify(rel.publishedSchema, rel.model);
  const body = `select * from ${qualify(rel.physicalSchema, rel.model)}`;
  await tx.query('savepoint strata_publish_view');
  try {
    await tx.query(`create or replace view ${published} as ${body}`);
    await tx.query('release savepoint strata_publish_view');
    return;
  } catch (err) {
    await tx.query('rollback to savepoint strata_publish_view');
    const e = err as PgError;
    if (e.code === '42809') {
      if (!(await legacySeedMovedAside(tx, rel))) {
        throw new Error(`cannot publish ${published}: a table (not a strata view) already has that name; move it away first`);
      }
      await tx.query(`create view ${published} as ${body}`);
      return;
    }
    if (!e.code || !COLUMNS_CHANGED.has(e.code)) throw err;
  }
  try {
    await tx.query(`drop view ${published}`);
  } catch (err) {
    const e = err as PgError;
    if (e.code !== '2BP01') throw err;
    throw new Error(
      `cannot publish ${published}: its columns changed and other objects depend on it (${(e.detail ?? '').replace(/\n/g, '; ')}). ` +
        'strata never drops them: update or drop those views, then build again',
    );
  }
  await tx.query(`create view ${published} as ${body}`);
}

/**
 * Makes `mapping` the published state in the caller's transaction: every published view
 * points at this batch's relation, models that left the project lose their view, and
 * `strata.current_batch` names the batch. Readers see the old batch or the new, never a mix.
 */
export async function pointPublishedLayers(
  tx: Queryable,
  batchId: string,
  mapping: ReadonlyMap<string, BatchRelation>,
): Promise<void> {
  const previousId = await currentBatchId(tx);
  const previous = previousId ? await batchRelations(tx, previousId) : new Map<string, BatchRelation>();
  for (const schema of new Set([...mapping.values()].map((r) => r.publishedSchema))) {
    await tx.query(`create schema if not exists ${quoteIdent(schema)}`);
  }
  const comment = quoteLiteral(batchComment(batchId, new Date()));
  for (const rel of mapping.values()) {
    await pointView(tx, rel);
    await tx.query(`comment on view ${qualify(rel.publishedSchema, rel.model)} is ${comment}`);
  }
  for (const old of previous.values()) {
    if (!mapping.has(old.model)) await tx.query(`drop view if exists ${qualify(old.publishedSchema, old.model)}`);
  }
  await tx.query(
    `insert into strata.current_batch (singleton, batch_id, since) values (true, $1, now())
     on conflict (singleton) do update set batch_id = excluded.batch_id, since = excluded.since`,
    [batchId],
  );
}

export async function saveMapping(tx: Queryable, batchId: string, mapping: ReadonlyMap<string, BatchRelation>): Promise<void> {
  for (const r of mapping.values()) {
    await tx.query(
      `insert into strata.batch_relations (batch_id, model, layer, published_schema, physical_schema, kind, checksum)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [batchId, r.model, r.layer, r.publishedSchema, r.physicalSchema, r.kind, r.checksum],
    );
  }
}

/** The longest one publishing attempt waits in line for the readers ahead of it (less when deadlock_timeout is short). */
const LOCK_WAIT_MS = 500;
/** lock_not_available (the wait timed out) and deadlock_detected: try again. */
const RETRY_CODES = new Set(['55P03', '40P01']);

/** The one order every locker of published views uses: the quoted names' code units. */
export const lockOrder = (views: readonly string[]): string[] => [...views].sort(byCodeUnits);

/**
 * What a published view's comment says: the batch it belongs to and when it was published,
 * readable by every role (`serve` names the batch of each response with it, and the read
 * role needs no access to strata's bookkeeping).
 */
export const batchComment = (batchId: string, at: Date): string => `strata batch ${batchId} published ${at.toISOString()}`;
export function batchOfComment(comment: string | null | undefined): { batchId: string; publishedAt: Date } | null {
  const m = /^strata batch (\S+) published (\S+)$/.exec(comment ?? '');
  return m ? { batchId: m[1]!, publishedAt: new Date(m[2]!) } : null;
}

type Transactional = { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> };

/**
 * Runs a publishing transaction after locking every published view it will replace. The
 * locks are taken in one statement, in the byte order of the views' names, and waited for
 * in line: new readers queue behind the publish instead of starving it, as they would a
 * lock taken with NOWAIT under steady load (`serve` locks in the same order, so the two
 * never deadlock). A reader locking in another order could: so the publish waits at most
 * half of `deadlock_timeout`, then steps back, releasing what it holds before the server's
 * deadlock check could pick the reader as its victim, and tries again a moment later.
 */
async function withViewLocks<T>(db: Transactional, views: string[], fn: (tx: Queryable) => Promise<T>, budgetMs = 60_000): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    try {
      return await db.transaction(async (tx) => {
        const { rows } = await tx.query<{ rel: string }>(
          'select rel from unnest($1::text[]) as rel where to_regclass(rel) is not null',
          [views],
        );
        if (rows.length > 0) {
          await tx.query(
            `select set_config('lock_timeout', greatest(10, least(${LOCK_WAIT_MS}, extract(epoch from current_setting('deadlock_timeout')::interval) * 500))::int || 'ms', true)`,
          );
          await tx.query(`lock table ${lockOrder(rows.map((r) => r.rel)).join(', ')} in access exclusive mode`);
        }
        return fn(tx);
      });
    } catch (err) {
      if (!RETRY_CODES.has((err as PgError).code ?? '')) throw err;
      if (Date.now() > deadline) throw new Error(`the published views stayed in use for ${budgetMs / 1000}s; nothing was published, try again`);
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 45));
    }
  }
}

const publishedViews = (mappings: Iterable<BatchRelation>[]): string[] => [
  ...new Set(mappings.flatMap((m) => [...m].map((r) => qualify(r.publishedSchema, r.model)))),
];

/**
 * Publishes a finished batch atomically. `guard` runs first inside the publishing
 * transaction (the build checks there that it still holds its lock).
 */
export async function publishBatch(
  db: Transactional & Queryable,
  batchId: string,
  mapping: ReadonlyMap<string, BatchRelation>,
  guard?: (tx: Queryable) => Promise<void>,
): Promise<void> {
  const currentId = await currentBatchId(db);
  const current = currentId ? await batchRelations(db, currentId) : new Map<string, BatchRelation>();
  await withViewLocks(db, publishedViews([mapping.values(), current.values()]), async (tx) => {
    await guard?.(tx);
    await saveMapping(tx, batchId, mapping);
    await pointPublishedLayers(tx, batchId, mapping);
    await tx.query(`update strata.batches set status = 'published', finished_at = now(), published_at = now() where batch_id = $1`, [batchId]);
  });
}

export interface RollbackResult {
  from: string;
  to: string;
}

/**
 * Puts the previously published batch back in one transaction. The batch rolled away
 * from is marked `rolled_back` and never chosen again, so repeated rollbacks walk back.
 */
export async function rollbackBatch(
  db: Transactional & Queryable,
  toId?: string,
  /** Runs once the target is known, before anything changes; throwing refuses the rollback. */
  beforeChange?: (to: string) => Promise<void>,
): Promise<RollbackResult> {
  const { rows: all } = await db.query<{ published_schema: string; model: string }>(
    `select distinct published_schema, model from strata.batch_relations where batch_id in (select batch_id from strata.batches where status = 'published')`,
  );
  const views = all.map((r) => qualify(r.published_schema, r.model));
  return withViewLocks(db, views, async (tx) => {
    const from = await currentBatchId(tx);
    if (!from) throw new Error('nothing is published yet, so there is nothing to roll back');
    const { rows } = await tx.query<{ batch_id: string }>(
      toId
        ? `select batch_id from strata.batches where batch_id = $2 and status = 'published' and batch_id <> $1`
        : `select batch_id from strata.batches
            where status = 'published' and batch_id <> $1
              and published_at < (select published_at from strata.batches where batch_id = $1)
            order by published_at desc limit 1`,
      toId ? [from, toId] : [from],
    );
    const to = rows[0]?.batch_id;
    if (!to) {
      throw new Error(
        toId
          ? `batch ${toId} cannot be restored: it is not a published batch that is still kept (see \`strata batches\`)`
          : `no earlier published batch is kept to roll back to (current: ${from})`,
      );
    }
    await beforeChange?.(to);
    await pointPublishedLayers(tx, to, await batchRelations(tx, to));
    await tx.query(`update strata.batches set status = 'rolled_back' where batch_id = $1`, [from]);
    return { from, to };
  });
}

/**
 * Drops the physical schemas no kept batch uses: the current batch and the `keep - 1`
 * published batches before it stay, so rollback is always instant. A batch is marked
 * expired first, so the guard of `dropBatchSchema` protects exactly what is still kept.
 */
export async function expireOldBatches(db: Queryable, keep: number): Promise<string[]> {
  const { rows: kept } = await db.query<{ batch_id: string }>(
    `select batch_id from strata.current_batch
     union
     (select batch_id from strata.batches where status = 'published' order by published_at desc limit $1)`,
    [keep],
  );
  const keepIds = kept.map((r) => r.batch_id);
  const { rows: expired } = await db.query<{ batch_id: string }>(
    `select batch_id from strata.batches where status in ('published', 'rolled_back') and not (batch_id = any($1::text[]))`,
    [keepIds],
  );
  const dropped: string[] = [];
  for (const { batch_id } of expired) {
    await db.query(`update strata.batches set status = 'expired' where batch_id = $1`, [batch_id]);
    const { rows } = await db.query<{ physical_schema: string }>(
      'select distinct physical_schema from strata.batch_relations where batch_id = $1',
      [batch_id],
    );
    for (const { physical_schema } of rows) {
      if (dropped.includes(physical_schema)) continue;
      // Checked right before the drop: a schema another kept batch uses stays.
      if ((await dropBatchSchema(db, physical_schema, batch_id)) === null) dropped.push(physical_schema);
    }
  }
  return dropped;
}
