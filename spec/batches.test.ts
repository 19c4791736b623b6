/**
 * Write–audit–publish on both engines: failed tests and models publish nothing, warnings
 * don't block, rollback restores, builds never interleave, a killed connection fails
 * cleanly, readers never see a mix of batches, and the artifacts tell what happened.
 */
import assert from 'node:assert/strict';

import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import pg from 'pg';
import { JAFFLE, useSpecProject, relationChecksum, runCli, startCli, targets, withEngine, type CliResult, type TestTarget } from './support.ts';

// Tables only: a view over a seed or source reads its input live, as views do.
const PUBLISHED = ['staging.stg_orders', 'marts.orders', 'marts.customers'];

async function checksums(target: TestTarget): Promise<string[]> {
  return withEngine(target, (db) => Promise.all(PUBLISHED.map((r) => relationChecksum(db, r))));
}

function addCustomer(project: string, id: number): void {
  const file = join(project, 'seeds', 'raw_customers.csv');
  appendFileSync(file, `${id},New,C.${readFileSync(file, 'utf8').includes('\r\n') ? '\r\n' : '\n'}`);
}

for (const factory of targets()) {
  describe(`batches on ${factory.name}`, () => {
    const spec = useSpecProject(factory, JAFFLE, async ({ target, project }) => {
      const r = await runCli(['build'], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
    });

    test('a failing data test publishes nothing: the previous batch stays readable and unchanged', async () => {
      const { target, project } = spec;
      const before = await checksums(target);
      addCustomer(project, 101);
      const singular = join(project, 'tests', 'no_new_customers.sql');
      writeFileSync(singular, 'select customer_id from {{ref "customers"}} where customer_id > 100');
      try {
        const r = await runCli(['build'], { projectDir: project, target });
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /FAIL\s+no_new_customers — 1 failing row in strata_audit\.no_new_customers/);
        assert.match(r.stdout, /customer_id=101/, 'the first failing rows are printed');
        assert.match(r.stdout, /NOT published: test no_new_customers failed/);
        assert.deepEqual(await checksums(target), before);
        await withEngine(target, async (db) => {
          const audit = await db.query<{ customer_id: number }>('select customer_id from strata_audit.no_new_customers');
          assert.deepEqual(audit.rows.map((x) => Number(x.customer_id)), [101]);
        });
      } finally {
        rmSync(singular);
      }
    });

    test('warn-severity failures are reported but do not block publishing', async () => {
      const { target, project } = spec;
      const schema = join(project, 'models', 'marts', 'schema.yml');
      const original = readFileSync(schema, 'utf8');
      writeFileSync(schema, original.replace('      - row_count: { min: 1 }', '      - row_count: { min: 1 }\n      - row_count: { max: 10, severity: warn }'));
      try {
        const r = await runCli(['build'], { projectDir: project, target });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /WARN\s+customers__row_count_2 — 1 failing row/);
        assert.match(r.stdout, /published batch/);
        const results = JSON.parse(readFileSync(join(project, 'target', 'run_results.json'), 'utf8'));
        assert.equal(results.results.find((x: { name: string }) => x.name === 'customers__row_count_2').status, 'warn');
        await withEngine(target, async (db) => {
          const { rows } = await db.query<{ n: string }>('select count(*) as n from marts.customers');
          assert.equal(Number(rows[0]!.n), 101);
        });
        // `test` on its own judges the published layers: exit 1 when an error-severity test fails.
        writeFileSync(join(project, 'tests', 'no_new_customers.sql'), 'select customer_id from {{ref "customers"}} where customer_id > 100');
        const t = await runCli(['test', '--select', 'customers'], { projectDir: project, target });
        assert.equal(t.code, 1, t.stdout + t.stderr);
        assert.match(t.stdout, /FAIL\s+no_new_customers — 1 failing row/);
        assert.match(t.stdout, /WARN\s+customers__row_count_2/);
      } finally {
        writeFileSync(schema, original);
        rmSync(join(project, 'tests', 'no_new_customers.sql'), { force: true });
      }
    });

    test('the column tests of a model share one scan and keep their own verdicts, counts and errors', async () => {
      const { target, project } = spec;
      const schema = join(project, 'models', 'marts', 'schema.yml');
      const original = readFileSync(schema, 'utf8');
      writeFileSync(
        schema,
        original
          .replace('      - row_count: { min: 1 }', `      - row_count: { min: 1 }\n      - row_count: { min: 50, config: { where: "order_count > 3" } }`)
          .replace('[placed, shipped, completed, return_pending, returned]', '[placed, shipped, completed]')
          .replace('      - name: customer_id\n        tests:\n          - relationships', [
            '      - name: amount',
            '        tests:',
            '          - not_null',
            '          - expression: { expr: "amount >= 0" }',
            '          - expression: { expr: "amount >> 0" }',
            '      - name: customer_id',
            '        tests:',
            '          - relationships',
          ].join('\n')),
      );
      try {
        const r = await runCli(['--json', 'test', '--select', 'orders', '--select', 'customers'], { projectDir: project, target });
        assert.equal(r.code, 1, r.stdout + r.stderr);
        const ends = new Map(
          r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
            .filter((e) => e.event === 'test_end').map((e) => [e.test as string, e]),
        );
        const status = (name: string): unknown => ends.get(name)?.status;
        assert.equal(status('orders__not_null_order_id'), 'pass');
        assert.equal(status('orders__not_null_amount'), 'pass');
        assert.equal(status('orders__expression_amount'), 'pass');
        // The failing test counts its failing values (two statuses), as its own query does.
        assert.equal(status('orders__accepted_values_status'), 'fail');
        assert.equal(ends.get('orders__accepted_values_status')!.failures, 2);
        // Narrowed by `where`, a test judges other rows than the shared scan reads: it runs alone
        // (customers' other tests share a scan that passes them all).
        assert.equal(status('customers__row_count'), 'pass');
        assert.equal(status('customers__not_null_customer_id'), 'pass');
        assert.equal(status('customers__row_count_2'), 'fail');
        // A broken expression fails the shared scan; every test then runs alone and only it errors.
        assert.equal(status('orders__expression_amount_2'), 'error');
        assert.match(String(ends.get('orders__expression_amount_2')!.error), /operator does not exist/);
        await withEngine(target, async (db) => {
          const { rows } = await db.query<{ value: string }>('select value from strata_audit.orders__accepted_values_status order by 1');
          assert.deepEqual(rows.map((x) => x.value), ['return_pending', 'returned']);
          const none = await db.query(`select to_regclass('strata_audit.orders__not_null_amount') as t`);
          assert.equal((none.rows[0] as { t: unknown }).t, null, 'a passing test leaves no audit table');
        });
      } finally {
        writeFileSync(schema, original);
      }
    });

    test('views others built on published relations survive publishing; incompatible changes stop and name them', async () => {
      const { target, project } = spec;
      await withEngine(target, (db) => db.exec('create schema if not exists reporting; create or replace view reporting.customer_count as select count(*) as n from marts.customers'));
      addCustomer(project, 150);
      let r = await runCli(['build'], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const count = async (): Promise<number> =>
        withEngine(target, async (db) => Number((await db.query<{ n: string }>('select n from reporting.customer_count')).rows[0]!.n));
      const seen = await count();
      assert.equal(seen, await withEngine(target, async (db) => Number((await db.query<{ n: string }>('select count(*) as n from marts.customers')).rows[0]!.n)));
      // Dropping a column of a model that a foreign view depends on must not cascade.
      await withEngine(target, (db) => db.exec('create or replace view reporting.customer_names as select first_name from marts.customers'));
      const model = join(project, 'models', 'marts', 'customers.sql');
      const good = readFileSync(model, 'utf8');
      writeFileSync(model, good.replace('select c.customer_id, c.first_name, c.last_name,', 'select c.customer_id, c.last_name,').replace('group by 1, 2, 3', 'group by 1, 2'));
      try {
        r = await runCli(['build'], { projectDir: project, target });
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stdout + r.stderr, /cannot publish "marts"\."customers": its columns changed and other objects depend on it .*reporting\.customer_names/);
        assert.equal(await count(), seen, 'the published batch and the foreign views are untouched');
      } finally {
        writeFileSync(model, good);
        await withEngine(target, (db) => db.exec('drop view reporting.customer_names'));
      }
    });

    test('rollback puts the previous batch back in one step', async () => {
      const { target, project } = spec;
      const published = await checksums(target);
      addCustomer(project, 102);
      const r = await runCli(['build'], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.notDeepEqual(await checksums(target), published);
      const rb = await runCli(['rollback'], { projectDir: project, target });
      assert.equal(rb.code, 0, rb.stdout + rb.stderr);
      assert.match(rb.stdout, /rolled back from batch \S+ to \S+/);
      assert.deepEqual(await checksums(target), published);
      const list = await runCli(['--json', 'batches'], { projectDir: project, target });
      const batches = JSON.parse(list.stdout) as { status: string; current: boolean }[];
      assert.equal(batches.filter((b) => b.current).length, 1);
      assert.equal(batches.find((b) => b.current)!.status, 'published');
      assert.ok(batches.some((b) => b.status === 'rolled_back'));
    });

    test('two concurrent builds never interleave: the second waits or fails naming the holder', async () => {
      const { target, project } = spec;
      const slow = join(project, 'models', 'staging', 'slow.sql');
      writeFileSync(slow, '{{config materialized="table"}}\nselect pg_sleep(0.5)::text as slept');
      try {
        // The first build holds the lock from before its first model until it publishes. Stopped
        // (SIGSTOP) as its slow model starts, it holds it for as long as the spec needs, however
        // slow the machine, using no CPU (PGlite's pg_sleep keeps a core busy): the model sleeps
        // only long enough for the signal to find it still running.
        const first = startCli(['--json', 'build', '--batch-id', 'slow-first'], { projectDir: project, target });
        await first.waitFor(/"event":"model_start".*"model":"slow"/);
        first.child.kill('SIGSTOP');
        let second!: Promise<CliResult>;
        try {
          const impatient = await runCli(['build', '--lock-timeout', '1'], { projectDir: project, target });
          assert.equal(impatient.code, 1, impatient.stdout + impatient.stderr);
          const said = impatient.stdout + impatient.stderr;
          if (target.name === 'postgres') assert.match(said, /another build holds the lock: strata build \(pid \d+ on .+\), batch slow-first/);
          else assert.match(said, /embedded database .* is in use by process \d+/);
          const patient = startCli(['--json', 'build', '--batch-id', 'slow-second'], { projectDir: project, target });
          second = patient.done;
          // Let it reach the lock: on a server it says run_start right before; on PGlite it waits
          // to open the database, before saying anything.
          if (target.name === 'postgres') await patient.waitFor(/"event":"run_start"/);
          await sleep(1000);
        } finally {
          first.child.kill('SIGCONT');
        }
        const [a, b] = await Promise.all([first.done, second]);
        assert.equal(a.code, 0, a.stdout + a.stderr);
        assert.equal(b.code, 0, b.stdout + b.stderr);
        await withEngine(target, async (db) => {
          const { rows } = await db.query<{ batch_id: string; started_at: Date; finished_at: Date }>(
            `select batch_id, started_at, finished_at from strata.batches where batch_id in ('slow-first', 'slow-second') order by started_at`,
          );
          assert.deepEqual(rows.map((x) => x.batch_id), ['slow-first', 'slow-second']);
          assert.ok(new Date(rows[1]!.started_at) >= new Date(rows[0]!.finished_at), 'the second batch started after the first finished');
        });
      } finally {
        rmSync(slow);
      }
    });

    test('run_results.json and every log line match what happened', async () => {
      const { target, project } = spec;
      const r = await runCli(['build', '--batch-id', 'audited-batch'], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const results = JSON.parse(readFileSync(join(project, 'target', 'run_results.json'), 'utf8'));
      assert.equal(results.batch_id, 'audited-batch');
      const lines = readFileSync(join(project, 'logs', 'pipeline.log'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.batch_id === 'audited-batch');
      const kinds = lines.map((l) => l.event);
      assert.equal(kinds[0], 'run_start');
      assert.equal(kinds.at(-1), 'run_end');
      assert.ok(kinds.includes('publish'));
      for (const res of results.results as { kind: string; name: string; status: string }[]) {
        const line = lines.find((l) => (res.kind === 'model' ? l.event === 'model_end' && l.model === res.name : l.event === 'test_end' && l.test === res.name));
        assert.ok(line, `a log line for ${res.name}`);
        assert.equal(line!.status, res.status);
      }
      const metrics = JSON.parse(readFileSync(join(project, 'docs', 'last_run_metrics.json'), 'utf8'));
      assert.equal(metrics.batch_id, 'audited-batch');
      assert.equal(metrics.pipeline_success, 1);
      assert.ok(metrics.pipeline_latency > 0 && metrics.steps.run >= 0 && metrics.steps.publish >= 0);
    });

    if (factory.name === 'postgres') {
      test('a connection killed mid-build fails the build cleanly and leaves the published data intact', async () => {
        const { target, project } = spec;
        const before = await checksums(target);
        const slow = join(project, 'models', 'marts', 'slow_mart.sql');
        writeFileSync(slow, '{{config materialized="table"}}\nselect c.*, pg_sleep(0.05)::text as slept from {{ref "customers"}} c');
        try {
          addCustomer(project, 103);
          const build = runCli(['build', '--batch-id', 'killed'], { projectDir: project, target });
          const admin = new pg.Client({ connectionString: target.databaseUrl });
          await admin.connect();
          let killed = 0;
          for (let i = 0; i < 300 && killed === 0; i++) {
            await sleep(100);
            const { rows } = await admin.query(
              `select pg_terminate_backend(pid) as ok from pg_stat_activity
                where datname = current_database() and pid <> pg_backend_pid() and query like '%pg_sleep(0.05)%' and state = 'active'`,
            );
            killed = rows.length;
          }
          await admin.end();
          assert.equal(killed, 1, 'the slow model was found and its connection terminated');
          const r = await build;
          assert.equal(r.code, 1, r.stdout + r.stderr);
          assert.match(r.stdout, /ERROR\s+table\s+marts\.slow_mart[\s\S]*terminat/i);
          assert.match(r.stdout, /NOT published/);
          assert.deepEqual(await checksums(target), before);
          rmSync(slow); // the next build only has to get the lock, not sleep through the slow model again
          const again = await runCli(['build', '--lock-timeout', '5'], { projectDir: project, target });
          assert.equal(again.code, 0, 'the lock was released: the next build runs\n' + again.stdout + again.stderr);
        } finally {
          rmSync(slow, { force: true });
        }
      });

      test('readers in another connection never see a mix of two batches', async () => {
        const { target, project } = spec;
        const reader = new pg.Client({ connectionString: target.databaseUrl });
        await reader.connect();
        const seen = new Set<string>();
        let mixed = 0;
        let reading = true;
        const loop = (async () => {
          while (reading) {
            const { rows } = await reader.query(
              `select (select count(*) from staging.stg_orders) as a, (select count(*) from marts.orders) as b`,
            );
            if (rows[0].a !== rows[0].b) mixed++;
            seen.add(`${rows[0].a}`);
          }
        })();
        try {
          for (let i = 0; i < 3; i++) {
            const orders = join(project, 'seeds', 'raw_orders.csv');
            const eol = readFileSync(orders, 'utf8').includes('\r\n') ? '\r\n' : '\n';
            appendFileSync(orders, `${300 + i},1,2018-05-0${i + 1},placed${eol}`);
            const r = await runCli(['build'], { projectDir: project, target });
            assert.equal(r.code, 0, r.stdout + r.stderr);
          }
        } finally {
          reading = false;
          await loop;
          await reader.end();
        }
        assert.equal(mixed, 0, 'one statement never saw two batches');
        assert.ok(seen.size >= 3, `the reader saw the batches change (${[...seen].join(', ')})`);
      });
    }
  });
}

