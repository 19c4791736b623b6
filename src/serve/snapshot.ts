/**
 * One request, one batch. A publish swaps every published view in one transaction while
 * holding all their locks; a request locks the views it reads (in the same order, so the
 * two never deadlock, and waiting in line rather than failing) before reading which batch
 * they show and running its query, all in one read-only transaction. So the batch named in
 * the response is the batch every row came from, even while a publish or rollback runs.
 */
import { batchOfComment } from '../batch/publish.ts';
import type { Engine, Queryable } from '../engine/engine.ts';
import { quoteIdent, quoteLiteral } from '../engine/quote.ts';

export interface PublishedBatch {
  batchId: string;
  publishedAt: Date;
}

export interface ReadOptions {
  /** The published views the query reads, in lock order. */
  views: readonly string[];
  statementTimeoutMs: number;
  /** SET ROLE to this role first (the embedded engine has one user, so it switches role instead of logging in). */
  role?: string;
}

/** Which batch a published view shows, from the comment publishing put on it; null before the first publish. */
export async function batchOf(db: Queryable, view: string, prepared?: string): Promise<PublishedBatch | null> {
  const { rows } = await db.query<{ c: string | null }>(`select obj_description(to_regclass($1), 'pg_class') as c`, [view], prepared);
  return batchOfComment(rows[0]?.c);
}

/**
 * Runs `fn` on a consistent snapshot of the published batch. Returns null when nothing is
 * published (the views do not exist, or carry no batch).
 */
export async function withSnapshot<T>(
  engine: Engine,
  o: ReadOptions,
  fn: (tx: Queryable, batch: PublishedBatch) => Promise<T>,
): Promise<{ batch: PublishedBatch; value: T } | null> {
  return engine.transaction(async (tx) => {
    // One round trip: read-only, bounded in time, the read role, then the locks in line.
    try {
      await tx.exec(
        [
          'set transaction read only',
          `set local statement_timeout = ${Math.max(1, Math.floor(o.statementTimeoutMs))}`,
          ...(o.role ? [`set local role ${quoteIdent(o.role)}`] : []),
          `lock table ${o.views.join(', ')} in access share mode`,
        ].join('; '),
      );
    } catch (err) {
      // A view that does not exist yet: nothing is published (the transaction just rolls back).
      if ((err as { code?: string }).code === UNDEFINED_TABLE) return null;
      throw err;
    }
    const batch = await batchOf(tx, o.views[0]!);
    if (!batch) return null;
    return { batch, value: await fn(tx, batch) };
  });
}

const UNDEFINED_TABLE = '42P01';

/** The extra column `withBatchColumn` adds. */
export const BATCH_COLUMN = '__strata_batch';

/**
 * The endpoint's query as one statement that also says which batch it read. One statement
 * locks every view it reads before it runs and takes its snapshot after, and a publish swaps
 * all views under all their locks: so the batch and the rows agree, in one round trip. (The
 * statement locks in its own order; a publish waiting on it steps back before a deadlock could
 * be declared, see publish.ts.) The batch is an init plan, computed once; the rows keep the
 * inner query's order.
 */
export function withBatchColumn(sql: string, view: string): string {
  return `select q.*, (select obj_description(to_regclass(${quoteLiteral(view)}), 'pg_class')) as ${BATCH_COLUMN} from (\n${sql}\n) q`;
}

/**
 * Which batch a view shows, asked of the database as rarely as correctness allows. Every
 * caller gets the answer of a read that *started after it asked* — never an answer from
 * before, so a publish that finished before a request began is always seen — but callers
 * that ask while a read is in flight share the next one. Under load one catalog lookup
 * answers every request that arrived during the previous lookup.
 */
export class PublishedBatchReader {
  private inFlight: Promise<PublishedBatch | null> | null = null;
  private next: Promise<PublishedBatch | null> | null = null;

  constructor(private readonly read: () => Promise<PublishedBatch | null>) {}

  current(): Promise<PublishedBatch | null> {
    if (!this.inFlight) return this.start();
    // The read in flight may have taken its snapshot before this call: wait for the next one.
    const settled = this.inFlight.then(() => undefined, () => undefined);
    this.next ??= settled.then(() => {
      this.next = null;
      return this.start();
    });
    return this.next;
  }

  private start(): Promise<PublishedBatch | null> {
    const p = this.read();
    this.inFlight = p;
    // Registered before any waiter's callback, so the slot is free when the next read starts.
    p.then(() => this.clear(p), () => this.clear(p));
    return p;
  }

  private clear(p: Promise<unknown>): void {
    if (this.inFlight === p) this.inFlight = null;
  }
}
