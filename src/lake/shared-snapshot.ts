import type { Engine, Queryable } from '../engine/engine.ts';

const READ_ONLY_SNAPSHOT = 'set transaction isolation level repeatable read, read only';

/**
 * Runs `fn` with up to `sessions` read-only transactions that all see one snapshot, so a
 * batch read on several connections at once is still one consistent state of the database.
 * The first is opened here; the others import its snapshot (`pg_export_snapshot`, which
 * stays valid while the first transaction is open). An engine of one connection (PGlite)
 * gets one session.
 */
export async function withSharedSnapshot<T>(engine: Engine, sessions: number, fn: (sessions: Queryable[]) => Promise<T>): Promise<T> {
  return engine.transaction(async (first) => {
    await first.query(READ_ONLY_SNAPSHOT);
    const wanted = Math.max(1, Math.min(sessions, engine.maxConcurrency));
    if (wanted === 1 || engine.kind !== 'postgres') return fn([first]);
    const { rows } = await first.query<{ id: string }>('select pg_export_snapshot() as id');
    const id = rows[0]!.id;
    const open = (have: Queryable[]): Promise<T> =>
      have.length === wanted
        ? fn(have)
        : engine.transaction(async (tx) => {
            await tx.query(READ_ONLY_SNAPSHOT);
            await tx.query(`set transaction snapshot '${id}'`);
            return open([...have, tx]);
          });
    return open([first]);
  });
}
