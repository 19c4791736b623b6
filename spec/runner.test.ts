/**
 * The runner end to end, on PGlite and (with STRATA_TEST_DATABASE_URL) PostgreSQL:
 * migrations, seeds, every materialization, incremental merges, failures that leave the
 * published data alone, and a second project run through --project-dir.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Engine } from '../src/engine/engine.ts';
import { JAFFLE, copyProject, useSpecProject, events, relationChecksum, runCli, targets, withEngine } from './support.ts';

for (const factory of targets()) {
  describe(`runner on ${factory.name}`, () => {
    const spec = useSpecProject(factory, JAFFLE);

    test('a second project builds through --project-dir with every materialization', async () => {
      const { target, project } = spec;
      const r = await runCli(['build'], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /5 of 5 OK\s+table\s+marts\.customers … 100 rows/);
      assert.match(r.stdout, /9\/9 tests passed/);
      await withEngine(target, async (db) => {
        const kinds = await db.query<{ relname: string; relkind: string; nspname: string }>(
          `select c.relname, c.relkind, n.nspname from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname like 'staging__%' or n.nspname like 'marts__%' order by 1`,
        );
        const byName = Object.fromEntries(kinds.rows.map((k) => [k.relname, k.relkind]));
        assert.equal(byName.stg_customers, 'v', 'view materialization');
        assert.equal(byName.stg_orders, 'r', 'table materialization');
        assert.equal(byName.orders, 'r', 'incremental materialization');
        assert.equal(byName.stg_payments, undefined, 'ephemeral models are never built');
        const { rows } = await db.query<{ n: string | number; amount: string }>('select count(*) as n, sum(amount)::text as amount from marts.orders');
        assert.equal(Number(rows[0]!.n), 99);
        // The ephemeral payments model was inlined as a CTE: cents became dollars.
        assert.equal(rows[0]!.amount, '1672.00');
        const idx = await db.query(`select 1 from pg_indexes where schemaname like 'staging__%' and tablename = 'stg_orders'`);
        assert.equal(idx.rows.length, 1, 'the configured index exists');
      });
    });

    test('an incremental model downstream of a reloaded seed is rebuilt in full, matching a full refresh', async () => {
      const { target, project } = spec;
      const seed = join(project, 'seeds', 'raw_orders.csv');
      const original = readFileSync(seed, 'utf8');
      // A new order on a later date, and a changed status on the latest existing date.
      const eol = original.includes('\r\n') ? '\r\n' : '\n';
      const lines = original.trimEnd().split(eol);
      const last = lines.at(-1)!.split(',');
      lines[lines.length - 1] = [last[0], last[1], last[2], 'returned'].join(',');
      writeFileSync(seed, [...lines, '100,5,2018-04-10,placed'].join(eol) + eol);
      const r = await runCli(['--json', 'build'], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const orders = events(r.stdout).find((e) => e.event === 'model_end' && e.model === 'orders')!;
      assert.equal(orders.rows, 100);
      // raw_orders is a seed: any of its rows may have changed, so a merge by the model's
      // filter could keep rows computed from the old CSV (src/plan/plan.ts changedInFull).
      assert.equal(orders.action, 'rebuild', JSON.stringify(orders));
      const incremental = await withEngine(target, (db) => relationChecksum(db, 'marts.orders'));
      const full = await runCli(['build', '--full-refresh', '--select', 'orders'], { projectDir: project, target });
      assert.equal(full.code, 0, full.stdout + full.stderr);
      const rebuilt = await withEngine(target, (db) => relationChecksum(db, 'marts.orders'));
      assert.equal(incremental, rebuilt);
      await withEngine(target, async (db) => {
        const { rows } = await db.query<{ status: string }>('select status from marts.orders where order_id = 99');
        assert.equal(rows[0]!.status, 'returned');
      });
    });

    test('a failing model keeps the published tables and skips its children', async () => {
      const { target, project } = spec;
      const before = await withEngine(target, (db) => relationChecksum(db, 'marts.customers'));
      const model = join(project, 'models', 'staging', 'stg_orders.sql');
      const good = readFileSync(model, 'utf8');
      writeFileSync(model, good.replace('from {{ref "raw_orders"}}', 'from {{ref "raw_orders"}} where status::integer > 0'));
      try {
        const r = await runCli(['build'], { projectDir: project, target });
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /ERROR\s+table\s+staging\.stg_orders/);
        assert.match(r.stdout, /invalid input syntax for type integer/);
        assert.match(r.stdout, /SKIP\s+incremental\s+marts\.orders \(upstream stg_orders failed\)/);
        assert.match(r.stdout, /SKIP\s+table\s+marts\.customers/);
        assert.match(r.stdout, /NOT published/);
        const results = JSON.parse(readFileSync(join(project, 'target', 'run_results.json'), 'utf8'));
        assert.equal(results.published, false);
        assert.equal(results.results.find((x: { name: string }) => x.name === 'customers').status, 'skipped');
        await withEngine(target, async (db) => {
          assert.equal(await relationChecksum(db, 'marts.customers'), before);
          const { rows } = await db.query(`select nspname from pg_namespace where nspname like '%\\_\\_%' and nspname not in (select physical_schema from strata.batch_relations)`);
          assert.deepEqual(rows, [], 'the failed batch removed its schemas');
        });
      } finally {
        writeFileSync(model, good);
      }
    });

    test('seeds: CRLF and quoted commas load typed; a malformed CSV fails by file and line and loads nothing', async () => {
      const { target } = spec;
      const dir = copyProject(JAFFLE);
      try {
        writeFileSync(join(dir, 'seeds', 'people.csv'), 'id,name,joined,active,score\r\n1,"Smith, Ann",2024-01-02,true,1.5\r\n2,"Quote ""Q""",2024-02-03,false,2\r\n');
        let r = await runCli(['seed'], { projectDir: dir, target });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        await withEngine(target, async (db) => {
          const { rows } = await db.query<{ name: string }>('select name from raw.people order by id');
          assert.deepEqual(rows.map((x) => x.name), ['Smith, Ann', 'Quote "Q"']);
          const types = await db.query<{ attname: string; t: string }>(
            `select attname, format_type(atttypid, atttypmod) as t from pg_attribute where attrelid = 'raw.people'::regclass and attnum > 0 order by attnum`,
          );
          assert.deepEqual(types.rows.map((x) => x.t), ['integer', 'text', 'date', 'boolean', 'numeric']);
        });
        writeFileSync(join(dir, 'seeds', 'broken.csv'), 'a,b\n1,2\n3,4,5\n');
        r = await runCli(['seed'], { projectDir: dir, target });
        assert.equal(r.code, 1);
        assert.match(r.stderr, /seeds\/broken\.csv, line 3/);
        assert.match(r.stderr, /extra data after last expected column/);
        assert.match(r.stderr, /nothing was loaded/);
        await withEngine(target, async (db) => {
          const { rows } = await db.query(`select to_regclass('raw.broken') as t`);
          assert.equal((rows[0] as { t: unknown }).t, null);
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('a model\'s settings hold for its own build only', async () => {
      const { target } = spec;
      const dir = copyProject(JAFFLE);
      try {
        writeFileSync(join(dir, 'models', 'marts', 'tuned.sql'), `{{config materialized="table" settings="work_mem=7MB, enable_hashagg=off"}}\nselect current_setting('work_mem') as work_mem, current_setting('enable_hashagg') as hashagg`);
        writeFileSync(join(dir, 'models', 'marts', 'untuned.sql'), `{{config materialized="table"}}\nselect current_setting('work_mem') as work_mem, current_setting('enable_hashagg') as hashagg, t.work_mem as tuned from {{ref "tuned"}} t`);
        const r = await runCli(['run', '--select', 'tuned', '--select', 'untuned', '--threads', '1'], { projectDir: dir, target });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        await withEngine(target, async (db) => {
          const { rows: dflt } = await db.query<{ w: string }>(`select current_setting('work_mem') as w`);
          assert.notEqual(dflt[0]!.w, '7MB');
          const { rows } = await db.query<{ work_mem: string; hashagg: string; tuned: string }>('select * from marts.untuned');
          assert.deepEqual(rows, [{ work_mem: dflt[0]!.w, hashagg: 'on', tuned: '7MB' }]);
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('the Amazon sample loads with its keys set aside and back; a row breaking a foreign key is named by file and key', async () => {
      const { target } = spec;
      const dir = copyProject();
      const keys = (db: Engine): Promise<string[]> =>
        db.query<{ k: string }>(
          `select conname || ' ' || convalidated as k from pg_constraint where connamespace = 'amazon'::regnamespace
           union all select indexname from pg_indexes where schemaname = 'amazon' order by 1`,
        ).then((r) => r.rows.map((x) => x.k));
      const csv = join(dir, 'sample', 'amazon', 'review.csv');
      const good = readFileSync(csv, 'utf8');
      try {
        let r = await runCli(['migrate'], { projectDir: dir, target });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const declared = await withEngine(target, keys);
        writeFileSync(csv, good.replace(/^(100000003),[^,]+,/m, '$1,NO_SUCH_PRODUCT,'));
        r = await runCli(['seed', '--sample'], { projectDir: dir, target });
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stderr, /amazon\.review \(sample\/amazon\/review\.csv\): .*foreign key.*\(product_id\)=\(NO_SUCH_PRODUCT\) is not present in table "product".*nothing was loaded/);
        await withEngine(target, async (db) => {
          assert.deepEqual(await keys(db), declared, 'the failed load put every key back');
          const { rows } = await db.query<{ n: string }>('select count(*) as n from amazon.review');
          assert.equal(Number(rows[0]!.n), 0, 'nothing of the failed load remains');
        });
        writeFileSync(csv, good);
        r = await runCli(['seed', '--sample'], { projectDir: dir, target });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        await withEngine(target, async (db) => {
          assert.deepEqual(await keys(db), declared, 'every index and constraint is back, validated');
          const { rows } = await db.query<{ n: string }>('select count(*) as n from amazon.review');
          assert.equal(Number(rows[0]!.n), good.match(/^\d+,/gm)!.length);
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('the Amazon migrations apply once, then are up to date', async () => {
      const { target } = spec;
      const dir = copyProject();
      try {
        let r = await runCli(['migrate'], { projectDir: dir, target });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        r = await runCli(['migrate'], { projectDir: dir, target });
        assert.match(r.stdout, /migrations: up to date/);
        await withEngine(target, async (db) => {
          const { rows } = await db.query<{ table_name: string }>(
            `select table_name from information_schema.tables where table_schema = 'amazon' order by 1`,
          );
          assert.deepEqual(rows.map((x) => x.table_name), ['buyer', 'product', 'review', 'review_image']);
          const fks = await db.query(`select 1 from pg_constraint where contype = 'f' and connamespace = 'amazon'::regnamespace`);
          assert.equal(fks.rows.length, 3);
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

test('bad project input is reported all at once, before any SQL, with exit code 2', async () => {
  const dir = copyProject(JAFFLE);
  try {
    mkdirSync(join(dir, 'models', 'marts'), { recursive: true });
    writeFileSync(join(dir, 'models', 'marts', 'a.sql'), 'select * from {{ref "b"}}');
    writeFileSync(join(dir, 'models', 'marts', 'b.sql'), 'select * from {{ref "a"}}');
    writeFileSync(join(dir, 'models', 'marts', 'c.sql'), 'select 1\nfrom {{ref "nope"}} join {{source "missing" "t"}}');
    writeFileSync(join(dir, 'models', 'marts', 'd.sql'), 'select {{#if}} 1');
    writeFileSync(join(dir, 'models', 'staging', 'customers.sql'), 'select 1');
    writeFileSync(join(dir, 'project.yaml'), readFileSync(join(dir, 'project.yaml'), 'utf8').replace('threads: 2', 'threads: many'));
    const r = await runCli(['compile'], { projectDir: dir, env: { DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none' } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /project\.yaml:\d+ key `threads`: expected a whole number from 1 to 64/);
    assert.match(r.stderr, /models\/marts\/c\.sql:2:\d+: unknown ref `nope`/);
    assert.match(r.stderr, /models\/marts\/c\.sql:2:\d+: unknown source `missing`/);
    assert.match(r.stderr, /models\/marts\/d\.sql:1:\d+: template/);
    assert.match(r.stderr, /dependency cycle: a -> b -> a/);
    assert.match(r.stderr, /duplicate model name `customers`/);
    assert.match(r.stderr, /^6 project errors:/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('compile of an unchanged project is up to date and writes nothing; an edit, or --no-partial-parse, compiles again', async () => {
  const dir = copyProject(JAFFLE);
  try {
    // Files written in the last seconds may keep their mtime through an edit: such a compile keeps nothing.
    const old = Date.now() / 1000 - 60;
    for (const f of readdirSync(dir, { recursive: true })) utimesSync(join(dir, String(f)), old, old);
    const compile = async (...flags: string[]): Promise<{ upToDate: boolean; total: number; tests: number }> => {
      const r = await runCli(['--json', 'compile', ...flags], { projectDir: dir });
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout);
    };
    const first = await compile();
    assert.equal(first.upToDate, false);
    const manifest = statSync(join(dir, 'target', 'manifest.json')).mtimeMs;
    const again = await compile();
    assert.deepEqual([again.upToDate, again.total, again.tests], [true, first.total, first.tests]);
    assert.equal(statSync(join(dir, 'target', 'manifest.json')).mtimeMs, manifest, 'manifest.json not rewritten');
    const human = await runCli(['compile'], { projectDir: dir });
    assert.match(human.stdout, new RegExp(`^${first.total} of ${first.total} models and ${first.tests} tests up to date: nothing changed since the last compile`));
    assert.equal((await compile('--no-partial-parse')).upToDate, false);
    writeFileSync(join(dir, 'models', 'staging', 'extra.sql'), 'select 1 as id\n');
    const edited = await compile();
    assert.deepEqual([edited.upToDate, edited.total], [false, first.total + 1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
