/**
 * Unit tests (dbt 1.8 `unit_tests:`) of the Amazon scoring, through the CLI: they pass with
 * no server at all (the database URL points at a closed port), a wrong expectation fails
 * with the diff of expected and produced rows, a change that breaks the ranking stops
 * `build` before any data is touched (on the embedded engine and on a server, where they run
 * on the build's own database), bad declarations are compile errors, and with a database URL
 * they run there and leave nothing behind — each in a transaction rolled back at its end,
 * with the model's own settings.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { createPgliteEngine } from '../src/engine/pglite.ts';
import { copyProject, runCli, startCli, targets, withEngine } from './support.ts';
import { tempProject } from './temp-project.ts';

const NO_SERVER = { DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none_i15' };
const server = process.env.STRATA_TEST_DATABASE_URL;
const onServer = { skip: server ? false : 'STRATA_TEST_DATABASE_URL is not set' };

function edit(dir: string, file: string, from: string, to: string): () => void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  assert.ok(text.includes(from), `${from} not in ${file}`);
  writeFileSync(path, text.replace(from, to));
  return () => writeFileSync(path, text);
}

describe('unit tests of the Amazon scoring', () => {
  const dir = copyProject();
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('pass with no server: votes component, rank ties, sentiment', async () => {
    const r = await runCli(['test', '--unit'], { projectDir: dir, env: NO_SERVER });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    for (const name of ['votes_component_is_the_posterior_helpful_share', 'rank_ties_go_to_votes_then_age_then_id', 'sentiment_labels_negation_and_contradiction']) {
      assert.match(r.stdout, new RegExp(`PASS\\s+unit ${name}`));
    }
    assert.match(r.stdout, /3\/3 tests passed/);
  });

  test('a wrong expectation fails and shows expected (-) against produced (+) rows', async () => {
    const restore = edit(dir, 'models/gold/unit_tests.yml', '{ review_id: 2, rank_in_product: 2,', '{ review_id: 2, rank_in_product: 3,');
    try {
      const r = await runCli(['--json', 'test', '--unit', '--select', 'review_rank'], { projectDir: dir, env: NO_SERVER });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const end = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((e) => e.event === 'unit_test_end');
      assert.equal(end.status, 'fail');
      // Both sides print in the column's type: the expected 0.95 of a numeric(9,4) column reads 0.9500.
      assert.deepEqual(end.missing, [{ review_id: '2', rank_in_product: '3', review_side: 'positive', rank_in_side: '2', rank_recent: '4', agreement_component: '0.8462', consensus_component: '0.9500', helpfulness_score: '59.95' }]);
      assert.deepEqual(end.unexpected, [{ review_id: '2', rank_in_product: '2', review_side: 'positive', rank_in_side: '2', rank_recent: '4', agreement_component: '0.8462', consensus_component: '0.9500', helpfulness_score: '59.95' }]);
      const human = await runCli(['test', '--unit', '--select', 'review_rank'], { projectDir: dir, env: NO_SERVER });
      assert.match(human.stdout, /FAIL\s+unit rank_ties_go_to_votes_then_age_then_id/);
      assert.match(human.stdout, /- review_id="2"\s+rank_in_product="3"/);
      assert.match(human.stdout, /\+ review_id="2"\s+rank_in_product="2"/);
    } finally {
      restore();
    }
  });

  test('an embedded build runs them on its own database: a failing one publishes nothing and leaves no scratch schema', async () => {
    const dataDir = join(dir, '.strata', 'unit-build');
    const restore = edit(dir, 'models/gold/review_rank.sql', 's.helpful_votes desc, s.created_at', 's.helpful_votes asc, s.created_at');
    try {
      const r = await runCli(['build'], { projectDir: dir, env: { STRATA_PGLITE_DIR: dataDir, DATABASE_URL: '', NEON_DB_URL: '' } });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /FAIL\s+unit rank_ties_go_to_votes_then_age_then_id/);
      assert.match(r.stdout, /NOT published: unit test rank_ties_go_to_votes_then_age_then_id failed/);
    } finally {
      restore();
    }
    const engine = await createPgliteEngine(dataDir);
    try {
      const { rows: scratch } = await engine.query(`select nspname from pg_namespace where nspname like 'strata_unit%'`);
      assert.deepEqual(scratch, []);
      const { rows: sources } = await engine.query<{ t: string | null }>(`select to_regclass('amazon.review')::text as t`);
      assert.equal(sources[0]!.t, null, 'no migration ran: the build stopped before touching data');
    } finally {
      await engine.close();
    }
  });

  test('a unit test of a missing model, or giving an input the model does not read, is a compile error', async () => {
    const restore = edit(dir, 'models/silver/unit_tests.yml', "      - input: ref('silver_review_images')", "      - input: ref('dim_product')\n        rows: []\n      - input: ref('silver_review_images')");
    const restore2 = edit(dir, 'models/gold/unit_tests.yml', 'model: review_rank', 'model: review_rnak');
    try {
      const r = await runCli(['test', '--unit'], { projectDir: dir, env: NO_SERVER });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /^2 project errors:/m);
      assert.match(r.stderr, /models\/gold\/unit_tests\.yml:\d+ \(review_rnak\): unit test `rank_ties_go_to_votes_then_age_then_id`: no model `review_rnak`/);
      assert.match(r.stderr, /models\/silver\/unit_tests\.yml:\d+ \(review_features\): unit test `sentiment_labels_negation_and_contradiction`: given ref\('dim_product'\), which `review_features` does not read/);
    } finally {
      restore();
      restore2();
    }
  });

  test('a build on a server runs them there first: a failing one stops it before any data is touched, and leaves no scratch schema', onServer, async () => {
    const [factory] = targets('unit').filter((t) => t.name === 'postgres');
    const target = await factory!.create();
    const restore = edit(dir, 'models/gold/review_rank.sql', 's.helpful_votes desc, s.created_at', 's.helpful_votes asc, s.created_at');
    try {
      const r = await runCli(['build'], { projectDir: dir, target });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /FAIL\s+unit rank_ties_go_to_votes_then_age_then_id/);
      assert.match(r.stdout, /NOT published: unit test rank_ties_go_to_votes_then_age_then_id failed/);
      await withEngine(target, async (engine) => {
        const { rows } = await engine.query<{ nspname: string }>(
          `select nspname from pg_namespace where nspname like 'strata\\_unit%' or nspname in ('amazon', 'bronze', 'silver', 'gold')`,
        );
        assert.deepEqual(rows, [], 'no migration ran, no layer was made, no scratch schema is left');
      });
    } finally {
      restore();
      await target.cleanup();
    }
  });

  test('with a database URL they run on that database and leave no scratch schema', onServer, async () => {
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    const db = 'strata_spec_i15_unit';
    try {
      await admin.query(`drop database if exists ${db}`);
      await admin.query(`create database ${db}`);
      const url = new URL(server!);
      url.pathname = `/${db}`;
      const r = await runCli(['--database-url', url.toString(), 'test', '--unit'], { projectDir: dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /3\/3 tests passed/);
      const check = new pg.Client({ connectionString: url.toString() });
      await check.connect();
      try {
        const { rows } = await check.query(`select nspname from pg_namespace where nspname like 'strata_unit%'`);
        assert.deepEqual(rows, []);
      } finally {
        await check.end();
      }
    } finally {
      await admin.query(`drop database if exists ${db} with (force)`).catch(() => undefined);
      await admin.end();
    }
  });
});

describe('a unit test runs its model as a build would', () => {
  // base is what the tested models read; the unit tests give it one row.
  const project = (model: string, expect: string): string =>
    tempProject('unit-settings', {
      'project.yaml': 'name: unit_settings\nlayers:\n  core: {materialized: table}\n',
      'models/core/base.sql': 'select 1 as n\n',
      'models/core/tested.sql': model,
      'models/core/unit_tests.yml': `unit_tests:\n  - name: as_built\n    model: tested\n    given:\n      - input: ref('base')\n        rows: [{ n: 1 }]\n    expect:\n      rows: [${expect}]\n`,
    });

  test("with the model's own settings (set local, as in its build)", async () => {
    const dir = project(
      `{{config settings="work_mem=7MB, jit=off"}}\nselect b.n, current_setting('work_mem') as work_mem, current_setting('jit') as jit from {{ref "base"}} b\n`,
      "{ n: 1, work_mem: 7MB, jit: 'off' }",
    );
    const r = await runCli(['test', '--unit'], { projectDir: dir, env: NO_SERVER });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /PASS\s+unit as_built/);
  });

  test('in a transaction: no other session ever sees its scratch schema, and a killed run leaves none', onServer, async () => {
    const [factory] = targets('unit').filter((t) => t.name === 'postgres');
    const target = await factory!.create();
    const dir = project('select b.n, pg_sleep(3) is not null as slept from {{ref "base"}} b\n', '{ n: 1, slept: true }');
    const admin = new pg.Client({ connectionString: target.databaseUrl });
    await admin.connect();
    try {
      const scratch = async (): Promise<unknown[]> => (await admin.query(`select nspname from pg_namespace where nspname like 'strata\\_unit%'`)).rows;
      const sleeping = async (): Promise<number | null> =>
        (await admin.query<{ pid: number }>(`select pid from pg_stat_activity where datname = current_database() and query like '%pg_sleep(3)%' and pid <> pg_backend_pid()`)).rows[0]?.pid ?? null;
      const run = startCli(['--database-url', target.databaseUrl!, 'test', '--unit'], { projectDir: dir });
      let pid: number | null = null;
      for (let i = 0; i < 200 && pid === null; i++) {
        pid = await sleeping();
        if (pid === null) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(pid !== null, 'the unit test reached its model');
      assert.deepEqual(await scratch(), [], 'the scratch schema is not visible while the test runs');
      run.child.kill('SIGKILL');
      await run.done;
      // The server rolls a dead client's transaction back once it notices, which a backend in
      // pg_sleep does only when the sleep ends: ended here at once.
      await admin.query('select pg_terminate_backend($1)', [pid]);
      for (let i = 0; i < 100 && (await sleeping()) !== null; i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(await scratch(), [], 'nothing is left of the killed run');
    } finally {
      await admin.end();
      await target.cleanup();
    }
  });
});
