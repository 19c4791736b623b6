/**
 * Operations an on-call person can trust (issue 12), on both engines: health that answers
 * within its deadline and tells the truth (never built, locked tables, database and lake
 * disagreeing), metrics always written, run counters, rollback / lake rollback / lake
 * restore moving database and lake together or refusing before changing anything, and
 * builds that die (SIGKILL) or lose their lock leaving nothing behind.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { batchDir } from '../src/lake/layout.ts';
import { JAFFLE, copyProject, relationChecksum, runCli, startCli, targets, useSpecProject, withEngine, type SpecProject } from './support.ts';

/** Still running while a spec acts on the build it is part of (it waits for the model's start). */
const SLOW_MODEL = '{{config materialized="table"}}\nselect 1 as done from (select pg_sleep(3)) s\n';

const active = (project: string, layer = 'marts'): string => readFileSync(join(project, 'data', layer, 'active'), 'utf8').trim();

async function build(spec: SpecProject, args: string[] = []): Promise<string> {
  const r = await runCli(['--json', 'build', ...args], { projectDir: spec.project, target: spec.target });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return JSON.parse(readFileSync(join(spec.project, 'docs', 'last_run_metrics.json'), 'utf8')).batch_id as string;
}

const dbState = (spec: SpecProject) =>
  withEngine(spec.target, async (db) => ({
    current: (await db.query<{ batch_id: string }>('select batch_id from strata.current_batch')).rows[0]?.batch_id ?? null,
    customers: await relationChecksum(db, 'marts.customers'),
    statuses: Object.fromEntries((await db.query<{ batch_id: string; status: string }>('select batch_id, status from strata.batches')).rows.map((r) => [r.batch_id, r.status])),
    schemas: (await db.query<{ nspname: string }>(`select nspname::text from pg_namespace where nspname like '%\\_\\_%' order by 1`)).rows.map((r) => r.nspname),
  }));

for (const factory of targets('i12')) {
  describe(`on-call operations on ${factory.name}`, () => {
    const spec = useSpecProject(factory, JAFFLE, async ({ project }) => {
      // Two kept batches: the third build expires the first one's schemas.
      writeFileSync(join(project, 'project.yaml'), readFileSync(join(project, 'project.yaml'), 'utf8') + 'keep_batches: 2\n');
    });
    const batches: string[] = [];

    test('health on a database strata never built on: exit 2, said plainly; metrics --out written anyway', async () => {
      const { project, target } = spec;
      const r = await runCli(['health'], { projectDir: project, target });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stdout, /DOWN\s+strata_state\s+strata has never built on this database/);
      const out = join(project, 'strata.prom');
      writeFileSync(out, 'strata_health_status 0\n');
      const m = await runCli(['metrics', '--out', out], { projectDir: project, target });
      assert.equal(m.code, 0, m.stderr);
      assert.match(readFileSync(out, 'utf8'), /^strata_health_status 2$/m);
    });

    test('three builds: counters in the database, lake and database agree, healthy', async () => {
      const { project, target } = spec;
      for (let i = 0; i < 3; i++) batches.push(await build(spec, i ? ['--full-refresh'] : []));
      const r = await runCli(['health'], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`OK\\s+batch_consistency\\s+database, lake and last run agree on batch ${batches[2]}`));
      const m = await runCli(['metrics'], { projectDir: project, target });
      assert.match(m.stdout, /^# TYPE strata_runs_total counter$/m);
      assert.match(m.stdout, /^strata_runs_total\{status="success"\} 3$/m);
      assert.match(m.stdout, /^strata_tests_failed_total 0$/m);
      assert.equal(active(project), batches[2]);
    });

    test('rollback moves database and lake together, and refuses before changing anything when the lake lacks the batch', async () => {
      const { project, target } = spec;
      const lakeBatch = join(project, 'data', 'marts', `batch=${batches[1]}`);
      const moved = `${lakeBatch}.away`;
      const { renameSync } = await import('node:fs');
      renameSync(lakeBatch, moved);
      const before = await dbState(spec);
      const refused = await runCli(['rollback'], { projectDir: project, target });
      assert.equal(refused.code, 1, refused.stdout + refused.stderr);
      assert.match(refused.stderr, new RegExp(`no batch ${batches[1]} in the marts lake.*nothing was changed.*strata export --batch-id ${batches[1]} --replace`));
      assert.deepEqual(await dbState(spec), before);
      assert.equal(active(project), batches[2]);
      renameSync(moved, lakeBatch);

      const ok = await runCli(['rollback'], { projectDir: project, target });
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.equal((await dbState(spec)).current, batches[1]);
      assert.equal(active(project), batches[1]);
    });

    test('lake rollback --to a batch the database no longer keeps: restored from the lake, both agree', async () => {
      const { project, target } = spec;
      const r = await runCli(['lake', 'rollback', '--to', batches[0]!], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`marts: active ${batches[1]} → ${batches[0]} \\(database too\\)`));
      const state = await dbState(spec);
      assert.match(state.current!, new RegExp(`^${batches[0]}-restore-`));
      assert.equal(active(project), batches[0]);
      const h = await runCli(['health'], { projectDir: project, target });
      assert.match(h.stdout, /OK\s+batch_consistency/);
      // A damaged lake batch is refused before anything changes.
      const refused = await runCli(['lake', 'rollback', '--to', 'nosuchbatch'], { projectDir: project, target });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /no batch nosuchbatch in the marts lake.*nothing was changed/);
      assert.deepEqual(await dbState(spec), state);
    });

    test('lake restore publishes the lake batch in the database and activates it in the lake', async () => {
      const { project, target } = spec;
      const r = await runCli(['lake', 'restore', '--batch-id', batches[2]!], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match((await dbState(spec)).current!, new RegExp(`^${batches[2]}-restore-`));
      assert.equal(active(project), batches[2]);
    });

    test('health reports database and lake disagreeing, with the command that fixes it', async () => {
      const { project, target } = spec;
      writeFileSync(join(project, 'data', 'marts', 'active'), `${batches[1]}\n`);
      const r = await runCli(['health'], { projectDir: project, target });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`WARN\\s+batch_consistency\\s+the marts lake's active batch is ${batches[1]}, the database publishes ${batches[2]}-restore-\\S+: run \`strata export\``));
      const fix = await runCli(['export'], { projectDir: project, target });
      assert.equal(fix.code, 0, fix.stdout + fix.stderr);
      // The restored database batch is lake batch batches[2]: activated again.
      const again = await runCli(['health'], { projectDir: project, target });
      assert.match(again.stdout, /OK\s+batch_consistency/, again.stdout);
    });

    test('health after a point-in-time restore: last_run names a batch the database lacks', async () => {
      const { project, target } = spec;
      const file = join(project, 'docs', 'last_run_metrics.json');
      const original = readFileSync(file, 'utf8');
      writeFileSync(file, JSON.stringify({ ...JSON.parse(original), batch_id: '20991231T000000Z-future' }));
      try {
        const r = await runCli(['health'], { projectDir: project, target });
        assert.equal(r.code, 1, r.stdout);
        assert.match(r.stdout, /WARN\s+batch_consistency\s+.*batch 20991231T000000Z-future, which this database does not have .*run `strata build`/);
      } finally {
        writeFileSync(file, original);
      }
    });

    test('a SIGKILLed build leaves nothing behind after the next build (and `clean` does the same)', async () => {
      const { project, target } = spec;
      const slow = join(project, 'models', 'marts', 'slow.sql');
      const killOne = async (): Promise<string> => {
        writeFileSync(slow, SLOW_MODEL);
        const run = startCli(['--json', 'build'], { projectDir: project, target });
        const line = await run.waitFor(/"event":"model_start".*"model":"slow"/);
        run.child.kill('SIGKILL');
        await run.done;
        rmSync(slow);
        return JSON.parse(line).batch_id as string;
      };
      const killed = await killOne();
      const left = await dbState(spec);
      assert.equal(left.statuses[killed], 'running');
      assert.ok(left.schemas.some((s) => s.endsWith(killed.toLowerCase().replace(/[^a-z0-9_]/g, '_'))), `schemas of ${killed}: ${left.schemas.join(', ')}`);
      const next = await build(spec);
      const after = await dbState(spec);
      assert.equal(after.statuses[killed], 'failed');
      assert.equal(after.current, next);
      assert.deepEqual(after.schemas.filter((s) => s.includes(killed.toLowerCase().replace(/[^a-z0-9_]/g, '_'))), []);

      const again = await killOne();
      // What its export had written of marts (on PostgreSQL each table as its model finished:
      // present or not depending on how far it got, so made sure of here).
      const partial = batchDir(join(project, 'data'), 'marts', again);
      mkdirSync(partial, { recursive: true });
      writeFileSync(join(partial, 'orders.parquet'), 'half-written');
      const c = await runCli(['clean'], { projectDir: project, target });
      assert.equal(c.code, 0, c.stdout + c.stderr);
      assert.match(c.stdout, new RegExp(`cleaned dead batch ${again}: dropped \\S+`));
      assert.match(c.stdout, new RegExp(`removed a leftover of an interrupted export: \\S+batch=${again}`));
      assert.equal(existsSync(partial), false, 'the dead build leaves nothing in the lake either');
      const cleaned = await dbState(spec);
      assert.equal(cleaned.statuses[again], 'failed');
      assert.equal(cleaned.current, next, 'the published batch is untouched');
      assert.equal((await runCli(['clean'], { projectDir: project, target })).stdout.trim(), 'no dead batches');
    });

    test('lake prune --archive copies each old batch with its manifest before deleting it; the active one stays', async () => {
      const { project, target } = spec;
      writeFileSync(join(project, 'project.yaml'), readFileSync(join(project, 'project.yaml'), 'utf8') + 'lake:\n  retention_days: 0\n');
      const before = (await import('node:fs')).readdirSync(join(project, 'data', 'marts')).filter((d) => d.startsWith('batch=')).sort();
      const archive = join(project, 'archive');
      const listed = (await runCli(['lake', 'list', '--layer', 'marts'], { projectDir: project, target })).stdout;
      const r = await runCli(['lake', 'prune', '--archive', archive], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const { readdirSync } = await import('node:fs');
      const left = readdirSync(join(project, 'data', 'marts')).filter((d) => d.startsWith('batch='));
      assert.deepEqual(left, [`batch=${active(project)}`], `before the prune:\n${listed}\nthe prune:\n${r.stdout}${r.stderr}`);
      const archived = readdirSync(join(archive, 'marts')).sort();
      assert.deepEqual(archived, before.filter((d) => !left.includes(d)));
      for (const d of archived) assert.ok(existsSync(join(archive, 'marts', d, 'manifest.json')));
      const v = await runCli(['lake', 'verify'], { projectDir: project, target });
      assert.equal(v.code, 0, v.stdout + v.stderr);
    });
  });
}

const postgres = targets('i12').find((f) => f.name === 'postgres');

describe('on-call operations that need a second session (PostgreSQL)', { skip: postgres ? false : 'needs STRATA_TEST_DATABASE_URL' }, () => {
  // Roles are cluster-wide: named for this spec, dropped after its database is.
  const ROLES = ['i12_etl', 'i12_reader', 'i12_other'];
  const ETL_ENV = { I12_ETL_PW: 'etl-pw-i12' };
  const spec = useSpecProject(postgres ?? targets()[0]!, JAFFLE, async (s) => {
    writeFileSync(
      join(s.project, 'project.yaml'),
      readFileSync(join(s.project, 'project.yaml'), 'utf8') +
        'roles:\n  i12_etl: { write: [staging, marts], password_env: I12_ETL_PW }\n  i12_reader: { read: [marts] }\n',
    );
    const r = await runCli(['build'], { projectDir: s.project, target: s.target, env: ETL_ENV });
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });
  after(async () => {
    if (!process.env.STRATA_TEST_DATABASE_URL) return;
    const admin = new pg.Client({ connectionString: process.env.STRATA_TEST_DATABASE_URL });
    await admin.connect();
    for (const r of ROLES) await admin.query(`drop role if exists ${r}`).catch(() => undefined);
    await admin.end();
  });

  test('etl_user cannot change published rows: published views are read-only but for their owner', async () => {
    const { target } = spec;
    const url = new URL(target.databaseUrl!);
    url.username = 'i12_etl';
    url.password = ETL_ENV.I12_ETL_PW;
    const etl = new pg.Client({ connectionString: url.toString() });
    await etl.connect();
    try {
      const { rows } = await etl.query('select count(*)::int as n from marts.customers');
      assert.ok(rows[0].n > 0);
      for (const sql of ['update marts.customers set first_name = $$x$$', 'delete from marts.orders', 'insert into marts.customers (customer_id) values (-1)']) {
        await assert.rejects(etl.query(sql), /permission denied/, sql);
      }
    } finally {
      await etl.end();
    }
  });

  test('grants --check finds each kind of drift, changes nothing, exits 1; clean again after grants', async () => {
    const { project, target } = spec;
    const clean = await runCli(['grants', '--check'], { projectDir: project, target, env: ETL_ENV });
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /no drift/);
    await withEngine(target, async (db) => {
      await db.exec(`do $$ begin if not exists (select from pg_roles where rolname = 'i12_other') then create role i12_other; end if; end $$`);
      await db.exec('grant select on marts.customers to i12_other');
      await db.exec('grant update on marts.orders to i12_etl');
      await db.exec('alter role i12_reader createrole bypassrls');
    });
    const r = await runCli(['grants', '--check'], { projectDir: project, target, env: ETL_ENV });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /DRIFT\s+privilege\s+i12_etl: .*REVOKE UPDATE ON ALL TABLES IN SCHEMA "marts" FROM "i12_etl"/);
    assert.match(r.stdout, /DRIFT\s+undeclared_role\s+i12_other: not declared in project\.yaml but holds SELECT on marts\.customers/);
    assert.match(r.stdout, /DRIFT\s+role_attribute\s+i12_reader: has CREATEROLE, BYPASSRLS/);
    // Nothing was changed by the check.
    assert.equal((await runCli(['grants', '--check'], { projectDir: project, target, env: ETL_ENV })).stdout, r.stdout);
    await withEngine(target, async (db) => {
      await db.exec('revoke select on marts.customers from i12_other');
      await db.exec('alter role i12_reader nocreaterole nobypassrls');
    });
    const fixed = await runCli(['grants'], { projectDir: project, target, env: ETL_ENV });
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    assert.equal((await runCli(['grants', '--check'], { projectDir: project, target, env: ETL_ENV })).code, 0);
  });

  test('health under a held lock answers within its deadline, naming the lock', async () => {
    const { project, target } = spec;
    const holder = new pg.Client({ connectionString: target.databaseUrl });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('lock table strata.batches, strata.current_batch, strata.run_counters in access exclusive mode');
      const t = performance.now();
      const r = await runCli(['health', '--timeout', '3'], { projectDir: project, target });
      const seconds = (performance.now() - t) / 1000;
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /WARN\s+gold_freshness\s+could not read strata\.current_batch: canceling statement due to lock timeout/);
      // A hang would never return; the bound is the 3 s deadline plus the CLI's start-up.
      assert.ok(seconds < 30, `health took ${seconds}s`);
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
  });

  test('a build that loses its lock does not publish, and drops its schemas', async () => {
    const { project, target } = spec;
    const before = await dbState(spec);
    writeFileSync(join(project, 'models', 'marts', 'slow.sql'), SLOW_MODEL);
    try {
      const run = startCli(['--json', 'build'], { projectDir: project, target });
      const batchId = JSON.parse(await run.waitFor(/"event":"model_start".*"model":"slow"/)).batch_id as string;
      // What a takeover after a stalled heartbeat does: another holder's token in the lock row.
      const other = new pg.Client({ connectionString: target.databaseUrl });
      await other.connect();
      await other.query(`update strata.locks set token = 'someone-else', holder = 'strata build (pid 1 on elsewhere)' where name = 'build'`);
      const r = await run.done;
      await other.query(`delete from strata.locks where token = 'someone-else'`);
      await other.end();
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /lost the build lock \(now held by strata build \(pid 1 on elsewhere\)\).*refusing to publish/);
      const after = await dbState(spec);
      assert.equal(after.current, before.current);
      assert.equal(after.customers, before.customers);
      assert.equal(after.statuses[batchId], 'failed');
      assert.deepEqual(after.schemas, before.schemas);
    } finally {
      rmSync(join(project, 'models', 'marts', 'slow.sql'), { force: true });
    }
  });

  test('--direct checks DATABASE_URL_DIRECT from .env, not the embedded database', async () => {
    const { project, target } = spec;
    writeFileSync(join(project, '.env'), `DATABASE_URL=postgres://etl@127.0.0.1:1/reviews\nDATABASE_URL_DIRECT=${target.databaseUrl}\n`, { mode: 0o600 });
    try {
      // No target in the environment (an empty variable would win over .env): .env decides.
      const env = {};
      const pooled = await runCli(['health'], { projectDir: project, env });
      assert.equal(pooled.code, 2, pooled.stdout);
      const direct = await runCli(['--direct', 'health'], { projectDir: project, env });
      // Degraded (the previous test's build failed), but reached: the direct URL's database.
      assert.equal(direct.code, 1, direct.stdout + direct.stderr);
      assert.match(direct.stdout, /OK\s+db_connectivity/);
      assert.match(direct.stdout, new RegExp(`DEGRADED \\(127\\.0\\.0\\.1:\\d+/${new URL(target.databaseUrl!).pathname.slice(1)}`));
    } finally {
      rmSync(join(project, '.env'));
    }
  });
});

test('metrics --out replaces a healthy file when the database is down', async () => {
  const project = copyProject(JAFFLE);
  try {
    const out = join(project, 'strata.prom');
    writeFileSync(out, 'strata_health_status 0\nstrata_db_connectivity 1\n');
    const r = await runCli(['metrics', '--out', out, '--timeout', '5'], { projectDir: project, env: { DATABASE_URL: 'postgres://etl:pw@127.0.0.1:1/reviews' } });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(out));
    assert.match(readFileSync(out, 'utf8'), /^strata_db_connectivity 0$/m);
    assert.match(readFileSync(out, 'utf8'), /^strata_health_status 2$/m);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
