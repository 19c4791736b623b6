/**
 * Seeds are versioned per batch (issue 10, item 2): a seed gaining a column builds while
 * three batches are kept (each kept batch still reads its own seed), `column_types` is
 * compared by the type PostgreSQL resolves, and a failing build after a seed change leaves
 * the published seed exactly as it was.
 */
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { JAFFLE, events, relationChecksum, runCli, targets, useSpecProject, withEngine } from './support.ts';

for (const factory of targets('i10')) {
  describe(`seeds per batch on ${factory.name}`, () => {
    const spec = useSpecProject(factory, JAFFLE, async ({ target, project }) => {
      for (let i = 0; i < 3; i++) {
        const r = await runCli(['build'], { projectDir: project, target });
        assert.equal(r.code, 0, r.stdout + r.stderr);
      }
    });

    test('a seed gaining a column builds while three batches are kept, and every kept batch still reads its own', async () => {
      const { target, project } = spec;
      const file = join(project, 'seeds', 'raw_customers.csv');
      const lines = readFileSync(file, 'utf8').trimEnd().split(/\r?\n/);
      writeFileSync(file, [`${lines[0]},segment`, ...lines.slice(1).map((l) => `${l},retail`)].join('\n') + '\n');
      const r = await runCli(['build', '--json'], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const seeded = events(r.stdout).find((e) => e.event === 'seed_end' && e.seed === 'raw_customers');
      assert.equal(seeded?.status, 'loaded');
      await withEngine(target, async (db) => {
        const { rows } = await db.query<{ segment: string; n: string | number }>('select segment, count(*) as n from raw.raw_customers group by segment');
        assert.deepEqual(rows.map((x) => [x.segment, Number(x.n)]), [['retail', 100]]);
        const kept = await db.query<{ physical_schema: string }>(
          `select distinct physical_schema from strata.batch_relations r join strata.batches b using (batch_id)
            where b.status = 'published' and r.model = 'raw_customers' order by 1`,
        );
        assert.ok(kept.rows.length >= 2, 'the old and the new seed table are both kept');
        for (const { physical_schema } of kept.rows) await db.query(`select * from "${physical_schema}".raw_customers`);
      });
      // Rolling back publishes the batch before, with the seed it was built with.
      const back = await runCli(['rollback'], { projectDir: project, target });
      assert.equal(back.code, 0, back.stdout + back.stderr);
      await withEngine(target, async (db) => {
        const { rows } = await db.query<{ n: string | number }>(`select count(*) as n from information_schema.columns where table_schema = 'raw' and table_name = 'raw_customers' and column_name = 'segment'`);
        assert.equal(Number(rows[0]!.n), 0);
      });
      const forward = await runCli(['build'], { projectDir: project, target });
      assert.equal(forward.code, 0, forward.stdout + forward.stderr);
    });

    test('column_types are compared as PostgreSQL resolves them: another spelling of the same type reloads nothing', async () => {
      const { target, project } = spec;
      const config = join(project, 'project.yaml');
      const original = readFileSync(config, 'utf8');
      try {
        writeFileSync(config, original.replace('seeds:\n  schema: raw\n', 'seeds:\n  schema: raw\n  raw_payments:\n    column_types: { amount: float8 }\n'));
        let r = await runCli(['seed'], { projectDir: project, target });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /raw_payments: 113 rows loaded/);
        writeFileSync(config, original.replace('seeds:\n  schema: raw\n', 'seeds:\n  schema: raw\n  raw_payments:\n    column_types: { amount: double precision }\n'));
        r = await runCli(['seed'], { projectDir: project, target });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /raw_payments: 113 rows unchanged/);
        await withEngine(target, async (db) => {
          const { rows } = await db.query<{ t: string }>(`select format_type(atttypid, atttypmod) as t from pg_attribute where attrelid = 'raw.raw_payments'::regclass and attname = 'amount'`);
          assert.equal(rows[0]!.t, 'double precision');
        });
        r = await runCli(['seed', '--full-refresh'], { projectDir: project, target });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /raw_payments: 113 rows loaded/);
      } finally {
        writeFileSync(config, original);
      }
    });

    test('a failing build after a seed change leaves the published seed unchanged', async () => {
      const { target, project } = spec;
      const before = await withEngine(target, (db) => relationChecksum(db, 'raw.raw_orders'));
      const file = join(project, 'seeds', 'raw_orders.csv');
      const original = readFileSync(file, 'utf8');
      const failing = join(project, 'tests', 'always_fails.sql');
      appendFileSync(file, '100,1,2018-04-09,completed\n');
      writeFileSync(failing, 'select order_id from {{ref "orders"}} where order_id = 100');
      try {
        const r = await runCli(['build'], { projectDir: project, target });
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /NOT published/);
        assert.equal(await withEngine(target, (db) => relationChecksum(db, 'raw.raw_orders')), before);
        await withEngine(target, async (db) => {
          const { rows } = await db.query(`select nspname from pg_namespace n where nspname like 'raw\\_\\_%' and not exists (select from strata.batch_relations r where r.physical_schema = n.nspname)`);
          assert.deepEqual(rows, [], 'the failed batch left no seed schema behind');
        });
      } finally {
        writeFileSync(file, original);
        rmSync(failing, { force: true });
      }
    });
  });
}
