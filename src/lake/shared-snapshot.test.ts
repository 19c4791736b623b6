import assert from 'node:assert/strict';
import { test } from 'node:test';
import { targets } from '../../spec/support.ts';
import { withSharedSnapshot } from './shared-snapshot.ts';

for (const factory of targets()) {
  test(`${factory.name}: sessions of one shared snapshot see the database as it was when the first opened`, async () => {
    const target = await factory.create();
    const engine = await target.open();
    try {
      await engine.exec('create table snap (id int); insert into snap select generate_series(1, 10)');
      const count = async (q: { query: typeof engine.query }) => (await q.query<{ n: number }>('select count(*)::int as n from snap')).rows[0]!.n;
      const seen = await withSharedSnapshot(engine, 3, async (sessions) => {
        if (factory.name === 'pglite') return { sessions: sessions.length, counts: [await count(sessions[0]!)] };
        // Committed by another connection after the snapshot was taken: none of the sessions may see it.
        await engine.exec('insert into snap select generate_series(11, 15)');
        return { sessions: sessions.length, counts: await Promise.all(sessions.map(count)) };
      });
      if (factory.name === 'pglite') assert.deepEqual(seen, { sessions: 1, counts: [10] });
      else assert.deepEqual(seen, { sessions: 3, counts: [10, 10, 10] });
      assert.equal(await count(engine), factory.name === 'pglite' ? 10 : 15);
      await assert.rejects(
        withSharedSnapshot(engine, 2, (sessions) => sessions[sessions.length - 1]!.exec('insert into snap values (0)')),
        /read-only transaction/,
        'the sessions are read-only',
      );
    } finally {
      await engine.close();
      await target.cleanup();
    }
  });
}
