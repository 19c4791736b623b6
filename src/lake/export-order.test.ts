import assert from 'node:assert/strict';
import { test } from 'node:test';
import { targets } from '../../spec/support.ts';
import { largestFirst } from './export-order.ts';

for (const factory of targets()) {
  test(`${factory.name}: tables are taken largest first by the planner's estimate, views included, whatever their names`, async () => {
    const target = await factory.create();
    const engine = await target.open();
    try {
      await engine.exec(`
        create table a_small as select i from generate_series(1, 100) i;
        create table b_wide as select i, repeat('x', 200) as pad from generate_series(1, 20000) i;
        create table c_long as select i from generate_series(1, 60000) i;
        create view d_view as select i, pad, pad as pad2 from b_wide;
        analyze a_small; analyze b_wide; analyze c_long;`);
      // The view: b_wide's 20,000 rows, twice as wide (≈ 400 bytes); b_wide ≈ 200 bytes a row;
      // c_long 60,000 rows of 4 bytes; a relation that is gone counts as 0 (its export fails anyway).
      const order = await largestFirst(engine, ['a_small', 'b_wide', 'c_long', 'd_view', 'gone']);
      assert.deepEqual(order, [3, 1, 2, 0, 4]);
    } finally {
      await engine.close();
      await target.cleanup();
    }
  });
}
