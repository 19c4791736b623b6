import type { Engine, Queryable } from './engine.ts';

/** Thrown at the end of the transaction, so that the engine rolls back whatever `fn` did. */
const ROLL_BACK = Symbol('roll back');

/**
 * What `fn` returns, run in one transaction that is rolled back whatever happens: work whose
 * side effects (scratch schemas, bookkeeping DDL) must never be committed. An error of `fn`
 * is thrown as it is, after the rollback.
 */
export async function rolledBack<T>(engine: Engine, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  const done: { value?: T } = {};
  try {
    await engine.transaction(async (tx) => {
      done.value = await fn(tx);
      throw ROLL_BACK;
    });
  } catch (err) {
    if (err !== ROLL_BACK) throw err;
  }
  return done.value as T;
}
