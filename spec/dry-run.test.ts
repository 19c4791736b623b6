/**
 * The batch plan as data, and the build executing exactly it: on jaffle_shop, on each
 * engine, for a fresh database, an unchanged one and one with a changed model, `build
 * --dry-run` prints a plan; the build that follows (same --batch-id) writes the plan it
 * executed to target/plan.json — equal to the dry run's, statements included — and reports
 * each model with the plan's action. A dry run builds, tests and publishes nothing.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { BatchPlan } from '../src/plan/types.ts';
import { JAFFLE, events, relationChecksum, runCli, targets, useSpecProject, withEngine } from './support.ts';

for (const factory of targets()) {
  describe(`build --dry-run prints the plan the build executes, on ${factory.name}`, () => {
    const spec = useSpecProject(factory, JAFFLE);
    let n = 0;
    const plan = async (args: string[]): Promise<BatchPlan> => {
      const r = await runCli(['--json', ...args], { projectDir: spec.project, target: spec.target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      return JSON.parse(r.stdout) as BatchPlan;
    };
    const actions = (p: BatchPlan): Record<string, string> => Object.fromEntries(p.models.map((m) => [m.model, m.action]));
    const batches = () => withEngine(spec.target, async (db) => Number((await db.query<{ n: string }>('select count(*) as n from strata.batches')).rows[0]!.n));

    /** Dry run, then build with the same batch id: the build executed the very plan printed. */
    async function dryRunThenBuild(): Promise<BatchPlan> {
      const batchId = `plan-${factory.name.toLowerCase().replace(/[^a-z0-9]+/g, '')}-${++n}`;
      const before = await batches();
      const dry = await plan(['build', '--dry-run', '--batch-id', batchId]);
      assert.equal(await batches(), before, 'the dry run recorded no batch');
      const built = await runCli(['--json', 'build', '--batch-id', batchId], { projectDir: spec.project, target: spec.target });
      assert.equal(built.code, 0, built.stdout + built.stderr);
      const executed = JSON.parse(readFileSync(join(spec.project, 'target', 'plan.json'), 'utf8')) as BatchPlan;
      assert.deepEqual(executed, dry, 'target/plan.json (what the build executed) equals the dry run');
      const ran = Object.fromEntries(events(built.stdout).filter((e) => e.event === 'model_end').map((e) => [e.model as string, e.action as string]));
      assert.deepEqual(ran, Object.fromEntries(dry.models.filter((m) => m.selected).map((m) => [m.model, m.action])), 'each model was run with the plan\'s action');
      const tested = events(built.stdout).filter((e) => e.event === 'test_end').map((e) => e.test as string).sort();
      assert.deepEqual(tested, dry.tests.filter((t) => t.action === 'run').map((t) => t.test).sort(), 'the planned tests ran, and only those');
      return dry;
    }

    test('a fresh database: every model is created (the ephemeral one is inlined), every seed loaded', async () => {
      const human = await runCli(['build', '--dry-run'], { projectDir: spec.project, target: spec.target });
      assert.equal(human.code, 0, human.stdout + human.stderr);
      assert.match(human.stdout, /from a database with no published batch/);
      assert.match(human.stdout, /create\s+incremental marts\.orders\s+first build/);
      assert.match(human.stdout, /summary: 4 create, 0 rebuild, 0 merge, 0 reuse, 1 skip/);
      assert.equal(await batches(), 0, 'no batch was started');

      const p = await dryRunThenBuild();
      assert.equal(p.version, 2);
      assert.equal(p.fromBatch, null);
      assert.deepEqual(actions(p), { stg_customers: 'create', stg_orders: 'create', stg_payments: 'skip', orders: 'create', customers: 'create' });
      assert.ok(p.seeds.length > 0 && p.seeds.every((s) => s.action === 'load'));
      assert.match(p.models.find((m) => m.model === 'orders')!.statements[0]!.sql, /^create table "marts__plan_\w+"\."orders" as/);
      assert.equal(p.tests.length, 9);
      assert.ok(p.tests.every((t) => t.action === 'run'));
    });

    test('an unchanged database: every model and seed is reused, no data test is run again', async () => {
      const before = await withEngine(spec.target, (db) => relationChecksum(db, 'marts.customers'));
      const p = await dryRunThenBuild();
      assert.deepEqual(actions(p), { stg_customers: 'reuse', stg_orders: 'reuse', stg_payments: 'skip', orders: 'reuse', customers: 'reuse' });
      assert.match(p.models.find((m) => m.model === 'customers')!.reason, new RegExp(`unchanged since batch ${p.fromBatch}`));
      assert.ok(p.models.every((m) => m.statements.length === 0), 'nothing to run');
      assert.ok(p.seeds.every((s) => s.action === 'keep'));
      assert.deepEqual(p.tests.filter((t) => t.action === 'run'), [], 'every test ran on the same relations in the published batch');
      assert.ok(p.tests.every((t) => t.reason === `passed in batch ${p.fromBatch} on the same relations`));
      assert.equal(await withEngine(spec.target, (db) => relationChecksum(db, 'marts.customers')), before);
    });

    test('a changed model is rebuilt with the reason, its readers rebuilt or merged; a selection carries the rest', async () => {
      const file = join(spec.project, 'models', 'marts', 'orders.sql');
      const good = readFileSync(file, 'utf8');
      writeFileSync(file, good.replace('as is_completed', 'as is_completed, 1 as version'));
      try {
        const selected = await plan(['explain', '--select', 'customers']);
        assert.deepEqual(actions(selected), { stg_customers: 'reuse', stg_orders: 'reuse', stg_payments: 'skip', orders: 'reuse', customers: 'reuse' });
        assert.match(selected.models.find((m) => m.model === 'orders')!.reason, /^not selected/);
        const human = await runCli(['explain', '--select', 'orders', '--sql'], { projectDir: spec.project, target: spec.target });
        assert.match(human.stdout, /reuse\s+table\s+marts\.customers\s+not selected: the published relation is carried into the batch/);
        assert.match(human.stdout, /^\s+create table "marts__\w+"\."orders" as$/m);

        const p = await dryRunThenBuild();
        const orders = p.models.find((m) => m.model === 'orders')!;
        assert.deepEqual([orders.action, orders.reason], ['rebuild', 'its SQL changed (the model, a macro or a var it reads)']);
        const customers = p.models.find((m) => m.model === 'customers')!;
        assert.deepEqual([customers.action, customers.reason], ['rebuild', 'input changed: orders (rebuilt)']);
        assert.equal(p.models.find((m) => m.model === 'stg_orders')!.action, 'reuse');
      } finally {
        writeFileSync(file, good);
      }
    });
  });
}
