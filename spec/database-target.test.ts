/**
 * Migrations, seeds and the build always land in one database: `--database-url` wins over
 * the environment and `.env` (DATABASE_URL_DIRECT included), and a DATABASE_URL_DIRECT
 * naming another database than the target is an error that says which two, without a
 * password. On PostgreSQL (the embedded engine has no URLs).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { JAFFLE, copyProject, runCli, targets, withEngine, type TestTarget } from './support.ts';
import { startCluster, type Cluster } from './support/cluster.ts';
import { unprivilegedUser } from './support/processes.ts';

const server = process.env.STRATA_TEST_DATABASE_URL;

/** Whether the migration of this spec, the seeds and a batch reached the database. */
async function footprint(target: TestTarget): Promise<{ migrated: boolean; seeded: boolean; built: boolean }> {
  return withEngine(target, async (db) => {
    const { rows } = await db.query<{ m: string | null; s: string | null; b: string | null }>(
      `select to_regclass('public.migrations')::text as m, to_regclass('raw.raw_orders')::text as s, to_regclass('marts.customers')::text as b`,
    );
    return { migrated: rows[0]!.m !== null, seeded: rows[0]!.s !== null, built: rows[0]!.b !== null };
  });
}

if (server) {
  describe('one database for migrations, seeds and the build', () => {
    const factory = targets().find((t) => t.name === 'postgres')!;
    let a: TestTarget;
    let b: TestTarget;
    let project: string;
    const secret = `direct-Pw'd "x" #/?`;
    const withPassword = (url: string): string => {
      const u = new URL(url);
      u.password = encodeURIComponent(secret);
      return u.toString();
    };

    before(async () => {
      [a, b] = await Promise.all([factory.create(), factory.create()]);
      project = copyProject(JAFFLE);
      mkdirSync(join(project, 'migrations'));
      writeFileSync(join(project, 'migrations', '1_marker.sql'), 'create table public.migrated_here (i int);\n');
    });
    after(async () => {
      await a?.cleanup();
      await b?.cleanup();
      if (project) rmSync(project, { recursive: true, force: true });
    });

    test('--database-url wins over DATABASE_URL and DATABASE_URL_DIRECT from the environment and .env', async () => {
      writeFileSync(join(project, '.env'), `DATABASE_URL=${a.databaseUrl}\nDATABASE_URL_DIRECT=${withPassword(a.databaseUrl!)}\n`, { mode: 0o600 });
      try {
        const r = await runCli(['--database-url', b.databaseUrl!, 'build'], { projectDir: project, env: { DATABASE_URL: a.databaseUrl!, DATABASE_URL_DIRECT: withPassword(a.databaseUrl!) } });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.deepEqual(await footprint(b), { migrated: true, seeded: true, built: true });
        assert.deepEqual(await footprint(a), { migrated: false, seeded: false, built: false });
        const dbA = new URL(a.databaseUrl!).pathname.slice(1);
        const dbB = new URL(b.databaseUrl!).pathname.slice(1);
        assert.match(r.stdout, new RegExp(`warning: DATABASE_URL_DIRECT points at 127\\.0\\.0\\.1:\\d+/${dbA} \\(\\w+\\), but the target is 127\\.0\\.0\\.1:\\d+/${dbB} \\(\\w+\\) \\(from --database-url\\): ignored, --database-url wins`));
        assert.ok(!(r.stdout + r.stderr).includes(encodeURIComponent(secret)) && !(r.stdout + r.stderr).includes(secret));
      } finally {
        rmSync(join(project, '.env'));
      }
    });

    test('a build on PostgreSQL, its unit tests included, resolves none of PGlite\'s modules (40–50 ms of CPU to import)', async () => {
      // Every module the CLI process loads, as its ESM resolve hook sees it.
      const dir = mkdtempSync(join(tmpdir(), 'strata-modules-'));
      // A unit test that has not passed yet: the build runs it, on the server.
      const unitTests = join(project, 'models', 'staging', 'unit_tests.yml');
      writeFileSync(unitTests, "unit_tests:\n  - name: customers_renamed\n    model: stg_customers\n    given:\n      - input: ref('raw_customers')\n        rows: [{ id: 7, first_name: Ann, last_name: Lee }]\n    expect:\n      rows: [{ customer_id: 7, first_name: Ann }]\n");
      rmSync(join(project, 'target', 'unit_tests_passed.json'), { force: true });
      try {
        const log = join(dir, 'modules.txt');
        writeFileSync(
          join(dir, 'hooks.mjs'),
          `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const r = await next(specifier, context);\n  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');\n  return r;\n}\n`,
        );
        writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
        const r = await runCli(['build'], { projectDir: project, env: { DATABASE_URL: b.databaseUrl!, NODE_OPTIONS: `--import=${join(dir, 'register.mjs')}` } });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /PASS\s+unit customers_renamed/);
        const loaded = readFileSync(log, 'utf8');
        // PGlite would be loaded from node_modules, where the bundle leaves it (src/engine/pglite.ts when through tsx).
        assert.match(loaded, /\/engine\/postgres\.ts|\/chunk-\w+\.mjs/, 'the hook saw the CLI load its modules');
        assert.doesNotMatch(loaded, /@electric-sql\/pglite|\/engine\/pglite\.ts/);
      } finally {
        rmSync(unitTests);
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('a DATABASE_URL_DIRECT naming another database is an error that names both, and nothing runs', async () => {
      const c = await factory.create();
      try {
        for (const command of [['migrate'], ['seed'], ['build']]) {
          const r = await runCli(command, { projectDir: project, env: { DATABASE_URL: c.databaseUrl!, DATABASE_URL_DIRECT: withPassword(a.databaseUrl!) } });
          assert.equal(r.code, 2, `${command}: ${r.stdout}${r.stderr}`);
          assert.match(
            r.stderr,
            /^error: DATABASE_URL_DIRECT points at 127\.0\.0\.1:\d+\/strata_spec_\w+ \(\w+\), but the target is 127\.0\.0\.1:\d+\/strata_spec_\w+ \(\w+\) \(from DATABASE_URL\): migrations and the build must use the same database; fix or unset DATABASE_URL_DIRECT\n$/,
          );
          assert.ok(!r.stderr.includes(secret) && !r.stderr.includes(encodeURIComponent(secret)), r.stderr);
        }
        assert.deepEqual(await footprint(c), { migrated: false, seeded: false, built: false });
        assert.deepEqual(await footprint(a), { migrated: false, seeded: false, built: false });
      } finally {
        await c.cleanup();
      }
    });

    describe('a DATABASE_URL_DIRECT on another host or port', () => {
      let other: Cluster;
      before(async () => {
        other = await startCluster(unprivilegedUser(), { ssl: false, hba: ['host all all 127.0.0.1/32 trust'] });
      });
      after(() => other?.stop());

      test('reaching another server with a database of the same name is refused before migrating', async () => {
        const c = await factory.create();
        try {
          const name = new URL(c.databaseUrl!).pathname.slice(1);
          other.psql(`create database ${name}`);
          const direct = `postgres://postgres@127.0.0.1:${other.port}/${name}`;
          const r = await runCli(['migrate'], { projectDir: project, env: { DATABASE_URL: c.databaseUrl!, DATABASE_URL_DIRECT: direct } });
          assert.equal(r.code, 2, r.stdout + r.stderr);
          assert.match(r.stderr, new RegExp(`DATABASE_URL_DIRECT \\(127\\.0\\.0\\.1:${other.port}/${name} \\(postgres\\)\\) reaches another server than the target 127\\.0\\.0\\.1:\\d+/${name} \\(\\w+\\)`));
          assert.equal(other.psql(`select count(*) from pg_tables where tablename = 'migrations'`).trim(), '0');
          assert.deepEqual(await footprint(c), { migrated: false, seeded: false, built: false });
        } finally {
          await c.cleanup();
        }
      });
    });
  });
}
