/**
 * Batches that cost what changed, on both engines: an unchanged model is reused (the new
 * batch points at the published table), a changed input rebuilds exactly what reads it,
 * `build --dry-run` says so with the reason, rollback still works, and expiring old
 * batches never drops a table a kept batch reuses.
 */
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { BatchPlan } from '../src/plan/types.ts';
import { JAFFLE, events, relationChecksum, runCli, targets, useSpecProject, withEngine, type TestTarget } from './support.ts';

// stg_payments is ephemeral: inlined into its readers, never built, so never reused either.
const MODELS = ['stg_customers', 'stg_orders', 'orders', 'customers'];

/** Model → physical schema in a batch. */
async function physical(target: TestTarget, batchId: string): Promise<Record<string, string>> {
  return withEngine(target, async (db) => {
    const { rows } = await db.query<{ model: string; physical_schema: string }>('select model, physical_schema from strata.batch_relations where batch_id = $1', [batchId]);
    return Object.fromEntries(rows.map((r) => [r.model, r.physical_schema]));
  });
}

async function build(target: TestTarget, project: string, ...args: string[]): Promise<{ batchId: string; stdout: string }> {
  const r = await runCli(['--json', 'build', ...args], { projectDir: project, target });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const start = events(r.stdout).find((e) => e.event === 'run_start' || typeof e.batch_id === 'string');
  return { batchId: String(start?.batch_id), stdout: r.stdout };
}

async function plan(target: TestTarget, project: string): Promise<Record<string, { action: string; reason: string }>> {
  const r = await runCli(['--json', 'build', '--dry-run'], { projectDir: project, target });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const p = JSON.parse(r.stdout) as BatchPlan;
  return Object.fromEntries(p.models.filter((m) => m.materialized !== 'ephemeral').map((m) => [m.model, { action: m.action, reason: m.reason }]));
}

for (const factory of targets('i17b')) {
  describe(`reusing unchanged models on ${factory.name}`, () => {
    const spec = useSpecProject(factory, JAFFLE);
    const batches: Record<string, string> = {};

    test('a batch with no change reuses every table of the published one, and says so', async () => {
      const { target, project } = spec;
      // A warn-severity test that warns: the unchanged batch reports its warning again without running it.
      writeFileSync(join(project, 'tests', 'big_orders.sql'), '{{config severity="warn"}}\nselect order_id from {{ref "orders"}} where amount > 20\n');
      const a = await build(target, project);
      batches.a = a.batchId;
      const warned = events(a.stdout).find((e) => e.event === 'test_end' && e.test === 'big_orders');
      assert.equal(warned?.status, 'warn');
      assert.ok(Number(warned?.failures) > 0);
      const before = await withEngine(target, (db) => relationChecksum(db, 'marts.customers'));
      const dry = await plan(target, project);
      assert.deepEqual(Object.keys(dry).sort(), [...MODELS].sort());
      for (const m of MODELS) assert.equal(dry[m]!.action, 'reuse', `${m}: ${dry[m]!.reason}`);
      assert.match(dry.customers!.reason, new RegExp(`unchanged since batch ${batches.a}`));

      const b = await build(target, project);
      batches.b = b.batchId;
      const reuse = events(b.stdout).find((e) => e.event === 'reuse');
      assert.equal(reuse?.reused, MODELS.length);
      assert.deepEqual(await physical(target, batches.b!), await physical(target, batches.a!), 'batch b points at batch a’s relations');
      assert.equal(await withEngine(target, (db) => relationChecksum(db, 'marts.customers')), before);
      const ended = events(b.stdout).filter((e) => e.event === 'test_end');
      assert.deepEqual(ended.filter((t) => t.reused === undefined).map((t) => t.test), [], 'no test of a reused model runs again');
      assert.deepEqual(
        ended.map((t) => [t.test, t.status, t.failures]),
        [['big_orders', 'warn', warned!.failures]],
        'the warning batch a found on the same tables is reported again',
      );
      assert.match(String(ended[0]!.reused), new RegExp(`warned \\(${warned!.failures} failing rows; reported again\\) in batch ${batches.a}`));

      // The lake: batch b takes over batch a's parquet files (hard links), and is complete on its own.
      const exported = events(b.stdout).find((e) => e.event === 'export_end');
      assert.equal(exported?.reused, exported?.tables, 'every marts file of batch b is batch a’s');
      const dirOf = (id: string): string => join(project, 'data', 'marts', `batch=${id}`);
      const manifest = JSON.parse(readFileSync(join(dirOf(batches.b!), 'manifest.json'), 'utf8')) as { tables: { file: string; reusedFrom?: string }[] };
      assert.ok(manifest.tables.length > 0);
      for (const t of manifest.tables) {
        assert.equal(t.reusedFrom, batches.a);
        assert.equal(statSync(join(dirOf(batches.b!), t.file)).ino, statSync(join(dirOf(batches.a!), t.file)).ino, `${t.file} is a hard link`);
      }
      const verify = await runCli(['--json', 'lake', 'verify', '--batch-id', batches.b!], { projectDir: project, target });
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);
      // Deleting batch a's directory (prune) leaves batch b whole.
      const aside = `${dirOf(batches.a!)}.aside`;
      renameSync(dirOf(batches.a!), aside);
      try {
        const again = await runCli(['--json', 'lake', 'verify', '--batch-id', batches.b!], { projectDir: project, target });
        assert.equal(again.code, 0, again.stdout + again.stderr);
      } finally {
        renameSync(aside, dirOf(batches.a!));
      }
    });

    test('a changed seed rebuilds what reads it, reuses the rest; rollback brings the previous batch back', async () => {
      const { target, project } = spec;
      const before = await withEngine(target, (db) => relationChecksum(db, 'marts.customers'));
      appendFileSync(join(project, 'seeds', 'raw_customers.csv'), '1000,New,C.\n');
      const c = await build(target, project);
      batches.c = c.batchId;
      const decided = Object.fromEntries(events(c.stdout).filter((e) => e.event === 'model_end').map((e) => [e.model as string, (e.note as string | undefined) ?? 'built']));
      assert.match(decided.stg_orders!, /^reused/);
      assert.match(decided.orders!, /^reused/);
      assert.doesNotMatch(decided.stg_customers!, /^reused/);
      assert.doesNotMatch(decided.customers!, /^reused/);
      const map = await physical(target, batches.c!);
      const old = await physical(target, batches.a!);
      assert.equal(map.orders, old.orders);
      assert.notEqual(map.stg_customers, old.stg_customers);
      assert.notEqual(map.customers, old.customers);
      const after = await withEngine(target, (db) => relationChecksum(db, 'marts.customers'));
      assert.notEqual(after, before, 'the new customer reached customers');

      const r = await runCli(['rollback'], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(await withEngine(target, (db) => relationChecksum(db, 'marts.customers')), before, 'rollback restores batch b, which reads batch a’s tables');
    });

    test('a changed model is rebuilt with its readers, and the plan names the reason', async () => {
      const { target, project } = spec;
      await build(target, project); // loads the changed seed
      appendFileSync(join(project, 'models', 'staging', 'stg_orders.sql'), '\n-- a comment changes the SQL\n');
      const dry = await plan(target, project);
      assert.equal(dry.stg_orders!.action, 'rebuild');
      assert.match(dry.stg_orders!.reason, /its SQL changed/);
      // orders is incremental and its own SQL is the same, but stg_orders changed in full (its
      // SQL did): merging would keep rows computed by the old stg_orders, so orders is rebuilt.
      assert.equal(dry.orders!.action, 'rebuild');
      assert.match(dry.orders!.reason, /input.* changed: .*stg_orders \(rebuilt\).*in full: stg_orders may have changed every row/);
      assert.equal(dry.stg_customers!.action, 'reuse');
      assert.match(dry.customers!.reason, /orders \(rebuilt\)/);
    });

    test('expiring old batches keeps the tables that kept batches reuse', async () => {
      const { target, project } = spec;
      // Batch x rebuilds stg_orders (its SQL changed above); y, z and w reuse it. keep_batches
      // is 3, so after w batch x is expired, and its schema must stay: w reads its table.
      const x = await build(target, project);
      for (let i = 0; i < 3; i++) await build(target, project);
      const fromX = (await physical(target, x.batchId)).stg_orders;
      await withEngine(target, async (db) => {
        const { rows } = await db.query<{ status: string }>('select status from strata.batches where batch_id = $1', [x.batchId]);
        assert.equal(rows[0]!.status, 'expired');
        const { rows: current } = await db.query<{ physical_schema: string }>(
          `select physical_schema from strata.batch_relations where model = 'stg_orders' and batch_id = (select batch_id from strata.current_batch)`,
        );
        assert.equal(current[0]!.physical_schema, fromX, 'the current batch points at batch x’s stg_orders');
        const { rows: exists } = await db.query<{ n: number }>(`select count(*)::int as n from pg_namespace where nspname = $1`, [fromX]);
        assert.equal(exists[0]!.n, 1, `${fromX} is kept while the current batch reuses it`);
        const { rows: read } = await db.query<{ n: number }>('select count(*)::int as n from staging.stg_orders');
        assert.ok(read[0]!.n > 0);
      });
    });
  });
}
