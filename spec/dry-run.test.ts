/**
 * The batch plan as data: `explain` on jaffle_shop, on each engine, for
 * a fresh database, an unchanged one and one with a changed model, and with a selection;
 * each run builds, tests and publishes nothing (no batch is recorded, the published tables
 * are unchanged).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { BatchPlan } from '../src/plan/types.ts';
import { JAFFLE, relationChecksum, runCli, targets, useSpecProject, withEngine } from './support.ts';

for (const factory of targets()) {
  describe(`explain (the plan, nothing built) on ${factory.name}`, () => {
    const spec = useSpecProject(factory, JAFFLE);
    const plan = async (args: string[] = ['explain']): Promise<BatchPlan> => {
      const r = await runCli(['--json', ...args], { projectDir: spec.project, target: spec.target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      return JSON.parse(r.stdout) as BatchPlan;
    };
    const actions = (p: BatchPlan): Record<string, string> => Object.fromEntries(p.models.map((m) => [m.model, m.action]));
    const batches = () => withEngine(spec.target, async (db) => Number((await db.query<{ n: string }>('select count(*) as n from strata.batches')).rows[0]!.n));

    test('a fresh database: every model is created (the ephemeral one is inlined), nothing runs', async () => {
      const p = await plan();
      assert.equal(p.version, 1);
      assert.equal(p.fromBatch, null);
      assert.deepEqual(actions(p), { stg_customers: 'create', stg_orders: 'create', stg_payments: 'skip', orders: 'create', customers: 'create' });
      assert.match(p.models.find((m) => m.model === 'orders')!.statements[0]!.sql, /^create table "marts__\w+"\."orders" as/);
      assert.equal(p.tests.length, 9);
      assert.equal(await batches(), 0, 'no batch was started');
      const human = await runCli(['explain'], { projectDir: spec.project, target: spec.target });
      assert.match(human.stdout, /from a database with no published batch/);
      assert.match(human.stdout, /create\s+incremental marts\.orders\s+first build/);
      assert.match(human.stdout, /summary: 4 create, 0 rebuild, 0 merge, 0 reuse, 1 skip/);
    });

    test('an unchanged database: the incremental model merges, tables and views are built again', async () => {
      const built = await runCli(['build'], { projectDir: spec.project, target: spec.target });
      assert.equal(built.code, 0, built.stdout + built.stderr);
      const before = await withEngine(spec.target, (db) => relationChecksum(db, 'marts.customers'));
      const n = await batches();
      const p = await plan();
      assert.notEqual(p.fromBatch, null);
      assert.deepEqual(actions(p), { stg_customers: 'rebuild', stg_orders: 'rebuild', stg_payments: 'skip', orders: 'merge', customers: 'rebuild' });
      const orders = p.models.find((m) => m.model === 'orders')!;
      assert.match(orders.reason, /on unique_key \(order_id\)/);
      assert.ok(orders.statements.some((s) => s.sql.startsWith('delete from')), 'the merge statements are in the plan');
      assert.equal(await batches(), n);
      assert.equal(await withEngine(spec.target, (db) => relationChecksum(db, 'marts.customers')), before);
    });

    test('a changed model is rebuilt in full, with the reason; a selection reuses the rest', async () => {
      const file = join(spec.project, 'models', 'marts', 'orders.sql');
      const good = readFileSync(file, 'utf8');
      writeFileSync(file, good.replace('as is_completed', 'as is_completed, 1 as version'));
      try {
        const p = await plan();
        const orders = p.models.find((m) => m.model === 'orders')!;
        assert.deepEqual([orders.action, orders.reason], ['rebuild', 'rebuilt in full: the model changed since the published batch']);
        const selected = await plan(['explain', '--select', 'customers']);
        assert.deepEqual(actions(selected), { stg_customers: 'reuse', stg_orders: 'reuse', stg_payments: 'skip', orders: 'reuse', customers: 'rebuild' });
        const human = await runCli(['explain', '--select', 'customers', '--sql'], { projectDir: spec.project, target: spec.target });
        assert.match(human.stdout, /reuse\s+incremental marts\.orders\s+not selected: the published relation is carried into the batch/);
        assert.match(human.stdout, /^\s+create table "marts__\w+"\."customers" as$/m);
      } finally {
        writeFileSync(file, good);
      }
    });
  });
}
