import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryPgliteEngine } from './pglite.ts';
import { rolledBack } from './rolled-back.ts';

test('rolledBack returns what its work returned and keeps none of it; an error is thrown as it is', async () => {
  const engine = await createMemoryPgliteEngine();
  try {
    const seen = await rolledBack(engine, async (tx) => {
      await tx.query('create schema scratch');
      await tx.query('create table scratch.t as select 42 as n');
      return (await tx.query<{ n: number }>('select n from scratch.t')).rows[0]!.n;
    });
    assert.equal(seen, 42);
    const gone = async (): Promise<void> =>
      assert.deepEqual((await engine.query(`select nspname from pg_namespace where nspname = 'scratch'`)).rows, []);
    await gone();
    await assert.rejects(
      rolledBack(engine, async (tx) => {
        await tx.query('create schema scratch');
        await tx.query('select 1 / 0');
      }),
      /division by zero/,
    );
    await gone();
  } finally {
    await engine.close();
  }
});
