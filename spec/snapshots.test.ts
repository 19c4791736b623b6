/**
 * Snapshots (SCD2) on jaffle_shop, on each engine, across five published batches and one
 * failed one: changed rows get a new version and end the old one, deleted rows end (and
 * start again when they come back), rows
 * that did not change keep their single version, and the history table holds each version
 * once (no batch copies the history). A check-strategy snapshot of customers and a
 * timestamp-strategy snapshot of orders.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { JAFFLE, runCli, targets, useSpecProject, withEngine } from './support.ts';

const CUSTOMERS = `{{config materialized="snapshot" unique_key="customer_id" strategy="check" check_cols="first_name,last_name"}}
select id as customer_id, first_name, last_name from {{ref "raw_customers"}}
`;
const ORDERS = `{{config materialized="snapshot" unique_key="order_id" strategy="timestamp" updated_at="order_date"}}
select id as order_id, status, order_date from {{ref "raw_orders"}}
`;

interface Version { key: number; value: string; current: boolean; closed: boolean }

for (const factory of targets()) {
  describe(`snapshots across batches on ${factory.name}`, () => {
    const spec = useSpecProject(factory, JAFFLE, async (s) => {
      writeFileSync(join(s.project, 'models', 'marts', 'customers_history.sql'), CUSTOMERS);
      writeFileSync(join(s.project, 'models', 'marts', 'orders_history.sql'), ORDERS);
    });
    const seed = (name: string) => join(spec.project, 'seeds', `${name}.csv`);
    const rewrite = (name: string, fn: (lines: string[]) => string[]): void => {
      const text = readFileSync(seed(name), 'utf8');
      const eol = text.includes('\r\n') ? '\r\n' : '\n';
      writeFileSync(seed(name), fn(text.trimEnd().split(/\r?\n/)).join(eol) + eol);
    };
    const build = async (code = 0) => {
      const r = await runCli(['build'], { projectDir: spec.project, target: spec.target });
      assert.equal(r.code, code, r.stdout + r.stderr);
      return r;
    };
    const versions = (sql: string) => withEngine(spec.target, async (db) => (await db.query<Version>(sql)).rows);
    const customers = () => versions(`select customer_id::int as key, last_name as value, valid_to is null as current, valid_to is not null as closed
      from marts.customers_history order by customer_id, valid_from`);
    const historyRows = (table: string) => withEngine(spec.target, async (db) => Number((await db.query<{ n: string }>(`select count(*) as n from strata_snapshots.${table}`)).rows[0]!.n));
    let n = 0;
    /** Customer 4's line, deleted in batch 2 and back in batch 5. */
    let removed = '';

    test('batch 1: every row, one current version each', async () => {
      const r = await build();
      assert.match(r.stdout, /OK\s+snapshot\s+marts\.customers_history/);
      const rows = await customers();
      n = rows.length;
      assert.ok(n >= 100);
      assert.ok(rows.every((v) => v.current));
      assert.equal(await historyRows('customers_history'), n);
    });

    test('batch 2: one changed, one deleted, the rest unchanged', async () => {
      rewrite('raw_customers', (lines) => {
        removed = lines.find((l) => l.startsWith('4,'))!;
        return lines.map((l) => (l.startsWith('1,') ? l.replace(/,[^,]*$/, ',Changed') : l)).filter((l) => l !== removed);
      });
      await build();
      const rows = await customers();
      const of = (k: number) => rows.filter((v) => v.key === k);
      assert.deepEqual(of(1).map((v) => [v.value === 'Changed', v.current]), [[false, false], [true, true]], 'a new version, the old one ended');
      assert.deepEqual(of(4).map((v) => v.current), [false], 'deleted (a customer without orders): its only version ended, no current one');
      assert.ok(rows.filter((v) => v.key !== 1 && v.key !== 4).every((v) => v.current), 'unchanged rows keep one current version');
      assert.equal(rows.length, n + 1);
      // Versions appended: one for customer 1 and a tombstone for 4; nothing copied.
      assert.equal(await historyRows('customers_history'), n + 2);
    });

    test('a failed batch: its versions are never visible and go at the next build', async () => {
      rewrite('raw_customers', (lines) => lines.map((l) => (l.startsWith('3,') ? l.replace(/,[^,]*$/, ',Failed') : l)));
      writeFileSync(join(spec.project, 'tests', 'always_fails.sql'), 'select 1 as failing from {{ref "customers_history"}} limit 1');
      try {
        const r = await build(1);
        assert.match(r.stdout, /NOT published/);
      } finally {
        rmSync(join(spec.project, 'tests', 'always_fails.sql'));
      }
      const rows = await customers();
      assert.ok(!rows.some((v) => v.value === 'Failed'), 'the published view shows no version of the failed batch');
      assert.equal(rows.length, n + 1);
    });

    test('batch 3: the row changed in the failed batch, changed again, and a timestamp snapshot', async () => {
      rewrite('raw_customers', (lines) => lines.map((l) => (l.startsWith('3,') ? l.replace(/,[^,]*$/, ',Third') : l)));
      rewrite('raw_orders', (lines) => lines.map((l) => (l.startsWith('1,') ? l.replace(/,\d{4}-\d\d-\d\d,/, ',2018-12-31,').replace(/,[a-z_]+$/, ',returned') : l)));
      await build();
      const rows = await customers();
      assert.deepEqual(rows.filter((v) => v.key === 3).map((v) => [v.value, v.current]).slice(1), [['Third', true]]);
      assert.equal(rows.length, n + 2);
      assert.equal(await historyRows('customers_history'), n + 3, "the failed batch's version was deleted");
      const orders = await versions(`select order_id::int as key, status as value, valid_to is null as current, valid_to is not null as closed from marts.orders_history where order_id = 1 order by valid_from`);
      assert.deepEqual(orders.map((v) => [v.value, v.current]), [[orders[0]!.value, false], ['returned', true]]);
      const from = await withEngine(spec.target, async (db) => (await db.query<{ same: boolean }>(`select valid_from = '2018-12-31'::date::timestamptz as same from marts.orders_history where order_id = 1 and valid_to is null`)).rows[0]!.same);
      assert.equal(from, true, 'timestamp strategy: a version is valid from its updated_at');
    });

    test('batch 4: nothing changed, nothing appended (the snapshot is reused)', async () => {
      const before = await historyRows('customers_history');
      const r = await build();
      assert.match(r.stdout, /snapshot\s+marts\.customers_history … in [\d.]+s \(reused: unchanged since batch /);
      assert.equal(await historyRows('customers_history'), before);
      assert.equal((await customers()).length, n + 2);
    });

    test('batch 5: a deleted row comes back: a new current version after its ended one', async () => {
      const before = await historyRows('customers_history');
      rewrite('raw_customers', (lines) => [...lines, removed]);
      await build();
      const rows = await customers();
      assert.deepEqual(rows.filter((v) => v.key === 4).map((v) => v.current), [false, true]);
      assert.equal(rows.length, n + 3);
      assert.equal(await historyRows('customers_history'), before + 1, 'one version appended, no tombstone');
    });
  });
}
