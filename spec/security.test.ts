/**
 * Security end to end: role grants per layer proven by logging in as each role on a real
 * PostgreSQL server (through publishes and rollbacks), revocation, passwords that never
 * reach a log or artifact, and hostile vars and seed values stored literally.
 *
 * Roles are cluster-wide in PostgreSQL, so every run uses role names with a random suffix
 * and drops them afterwards. The local server's pg_hba is trust: any role with LOGIN can
 * connect, which is what lets these tests act as each role.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { grants } from '../src/api/grants.ts';
import type { Engine } from '../src/engine/engine.ts';
import { createPostgresEngine } from '../src/engine/postgres.ts';
import { JAFFLE, copyProject, runCli, targets, withEngine, type TestTarget } from './support.ts';

const server = process.env.STRATA_TEST_DATABASE_URL;
const factory = (name: 'pglite' | 'postgres') => targets().find((t) => t.name === name)!;

/** Appends a `roles:` block to a project's project.yaml. */
function setRoles(project: string, roles: Record<string, string>): void {
  const file = join(project, 'project.yaml');
  const text = readFileSync(file, 'utf8').replace(/\nroles:\n[\s\S]*$/, '\n');
  writeFileSync(file, `${text}\nroles:\n${Object.entries(roles).map(([name, spec]) => `  ${name}: ${spec}\n`).join('')}`);
}

/** Every file under `dir`, as text. */
function allFiles(dir: string): { path: string; text: string }[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .map((f) => join(dir, f))
    .filter((p) => statSync(p).isFile())
    .map((path) => ({ path, text: readFileSync(path, 'latin1') }));
}

/** Runs `fn` with process.env extended by `vars`, then restores it. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('grants on PGlite', () => {
  let target: TestTarget;
  let project: string;
  before(async () => {
    target = await factory('pglite').create();
    project = copyProject(JAFFLE);
    setRoles(project, {
      jaffle_reader: '{ read: [marts] }',
      jaffle_writer: '{ write: [staging, marts], password_env: JAFFLE_WRITER_PW }',
    });
  });
  after(async () => {
    await target.cleanup();
    rmSync(project, { recursive: true, force: true });
  });

  test('grants runs on the embedded engine, records the roles and says nothing is enforced', async () => {
    const built = await runCli(['build'], { projectDir: project, target });
    assert.equal(built.code, 0, built.stdout + built.stderr);
    const env = { ...target.env, JAFFLE_WRITER_PW: 'embedded-secret-pw' };
    const first = await withEnv(env, () => grants({ projectDir: project, target: 'embedded' }));
    assert.equal(first.enforced, false);
    assert.match(first.note ?? '', /single-user embedded database with no logins/);
    assert.deepEqual(first.roles, ['jaffle_reader', 'jaffle_writer']);
    assert.ok(first.statements > 0);
    // build already applied the grants (without the password, so NOLOGIN); now it may log in.
    assert.ok(first.changes.includes(`ALTER ROLE "jaffle_writer" LOGIN PASSWORD '****'`), first.changes.join('\n'));
    const again = await withEnv(env, () => grants({ projectDir: project, target: 'embedded' }));
    assert.equal(again.statements, 0, again.changes.join('\n'));
    await withEngine(target, async (db) => {
      const { rows } = await db.query<{ ok: boolean; no: boolean }>(
        `select has_table_privilege('jaffle_reader', 'marts.customers', 'select') as ok,
                has_schema_privilege('jaffle_reader', 'staging', 'usage') as no`,
      );
      assert.deepEqual(rows[0], { ok: true, no: false });
    });
    assert.ok(!readFileSync(join(project, 'logs', 'pipeline.log'), 'utf8').includes('embedded-secret-pw'));
  });
});

if (server) {
  describe('security on PostgreSQL', () => {
    const suffix = randomBytes(4).toString('hex');
    const etl = `strata_etl_${suffix}`;
    const ds = `strata_ds_${suffix}`;
    const analytics = `strata_an_${suffix}`;
    const passwords: Record<string, string> = {
      [`ETL_PW_${suffix}`]: `etl-${randomBytes(6).toString('hex')}'; $$`,
      [`DS_PW_${suffix}`]: `ds-${randomBytes(6).toString('hex')}`,
      [`AN_PW_${suffix}`]: `an-${randomBytes(6).toString('hex')}`,
    };
    const roles = (dsRead: string, withEtl = true): Record<string, string> => ({
      ...(withEtl ? { [etl]: `{ write: [staging, marts], password_env: ETL_PW_${suffix} }` } : {}),
      [ds]: `{ read: ${dsRead}, password_env: DS_PW_${suffix} }`,
      [analytics]: `{ read: [marts], password_env: AN_PW_${suffix} }`,
    });
    let target: TestTarget;
    let project: string;
    const extraRoles: string[] = [];
    const cleanups: (() => Promise<void>)[] = [];

    const runGrants = () => withEnv(passwords, () => grants({ projectDir: project, databaseUrl: target.databaseUrl! }));
    const as = (role: string): Engine => {
      const u = new URL(target.databaseUrl!);
      u.username = role;
      u.password = 'trust-ignores-this';
      return createPostgresEngine(u.toString(), { maxConnections: 1 });
    };
    async function asRole<T>(role: string, fn: (db: Engine) => Promise<T>): Promise<T> {
      const db = as(role);
      try {
        return await fn(db);
      } finally {
        await db.close();
      }
    }
    const denied = (db: Engine, sql: string, why: RegExp) => assert.rejects(db.query(sql), why, sql);
    const count = async (db: Engine, rel: string) => Number((await db.query<{ n: string }>(`select count(*) as n from ${rel}`)).rows[0]!.n);

    /** The physical schema behind a published layer (readers must not see it). */
    const physical = (layer: string) =>
      withEngine(target, async (db) =>
        (await db.query<{ s: string }>(
          `select physical_schema as s from strata.batch_relations r join strata.current_batch c using (batch_id)
            where r.published_schema = $1 and r.kind <> 'view' limit 1`,
          [layer],
        )).rows[0]!.s,
      );

    async function assertMatrix(): Promise<void> {
      const marts = await physical('marts');
      await asRole(analytics, async (db) => {
        assert.equal(await count(db, 'marts.customers'), 100);
        assert.ok((await count(db, 'marts.orders')) >= 99);
        await denied(db, 'select * from staging.stg_orders', /permission denied for schema staging/);
        await denied(db, `select * from "${marts}".customers`, /permission denied for schema/);
        await denied(db, 'select * from raw.raw_orders', /permission denied for schema raw/);
        await denied(db, 'select * from strata.batches', /permission denied for schema strata/);
        await denied(db, `insert into marts.customers (customer_id) values (-1)`, /permission denied for view customers/);
      });
      await asRole(ds, async (db) => {
        assert.ok((await count(db, 'staging.stg_orders')) >= 99);
        assert.equal(await count(db, 'staging.stg_customers'), 100);
        assert.equal(await count(db, 'marts.customers'), 100);
        await denied(db, `insert into marts.customers (customer_id) values (-1)`, /permission denied for view customers/);
        await denied(db, 'delete from staging.stg_orders', /permission denied for view stg_orders/);
      });
      await asRole(etl, async (db) => {
        // Published (audited) data is read-only for writers too: they change data by building.
        assert.equal(await count(db, 'marts.customers'), 100);
        await denied(db, `insert into marts.customers (customer_id) values (-1)`, /permission denied for view customers/);
        await denied(db, `update marts.customers set first_name = 'x'`, /permission denied for view customers/);
        await denied(db, 'delete from staging.stg_orders', /permission denied for view stg_orders/);
        await denied(db, 'drop schema marts cascade', /must be owner of schema marts/);
        await denied(db, 'drop view marts.customers', /must be owner of view customers/);
        await denied(db, 'create table marts.sneaky (i int)', /permission denied for schema marts/);
        await denied(db, 'create or replace view marts.customers as select 1 as customer_id', /must be owner of view customers|permission denied for schema marts/);
        await denied(db, `select * from "${marts}".customers`, /permission denied for schema/);
      });
    }

    before(async () => {
      target = await factory('postgres').create();
      project = copyProject(JAFFLE);
      setRoles(project, roles('[staging, marts]'));
    });
    after(async () => {
      for (const c of cleanups) await c().catch(() => undefined);
      rmSync(project, { recursive: true, force: true });
      // Privileges in the spec database go with it; then the cluster-wide roles can be dropped.
      await target.cleanup();
      const admin = new pg.Client({ connectionString: server });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ rolname: string }>('select rolname from pg_roles where rolname = any($1)', [[etl, ds, analytics, ...extraRoles]]);
        if (rows.length) await admin.query(`drop role ${rows.map((r) => `"${r.rolname}"`).join(', ')}`);
      } finally {
        await admin.end();
      }
    });

    test('each role reads exactly its layers; nobody but admin can write, create or drop', async () => {
      const built = await runCli(['build'], { projectDir: project, target });
      assert.equal(built.code, 0, built.stdout + built.stderr);
      const result = await runGrants();
      assert.equal(result.enforced, true);
      assert.deepEqual(result.roles, [etl, ds, analytics]);
      assert.ok(result.statements > 0);
      await assertMatrix();
      await withEngine(target, async (db) => {
        const { rows } = await db.query<{ rolname: string; rolcanlogin: boolean; create_marts: boolean }>(
          `select rolname, rolcanlogin, has_schema_privilege(rolname, 'marts', 'create') as create_marts from pg_roles where rolname = any($1) order by 1`,
          [[etl, ds, analytics]],
        );
        assert.ok(rows.every((r) => r.rolcanlogin && !r.create_marts), JSON.stringify(rows));
      });
      // Idempotent: nothing left to do, and no password anywhere in what was reported or logged.
      const again = await runGrants();
      assert.equal(again.statements, 0, again.changes.join('\n'));
      const log = readFileSync(join(project, 'logs', 'pipeline.log'), 'utf8');
      for (const pw of Object.values(passwords)) {
        assert.ok(!log.includes(pw) && !JSON.stringify(result).includes(pw));
      }
      assert.ok(!JSON.stringify(result).includes('SCRAM-SHA-256'), 'the verifier is a secret too');
    });

    test('a changed password is applied (and only then)', async () => {
      const key = `AN_PW_${suffix}`;
      const before = await withEngine(target, async (db) => (await db.query<{ p: string }>('select rolpassword as p from pg_authid where rolname = $1', [analytics])).rows[0]!.p);
      passwords[key] = `an-new-${randomBytes(6).toString('hex')}`;
      const r = await runGrants();
      assert.deepEqual(r.changes, [`ALTER ROLE "${analytics}" PASSWORD '****'`]);
      const afterPw = await withEngine(target, async (db) => (await db.query<{ p: string }>('select rolpassword as p from pg_authid where rolname = $1', [analytics])).rows[0]!.p);
      assert.notEqual(afterPw, before);
      assert.match(afterPw, /^SCRAM-SHA-256\$/);
    });

    test('grants survive another publish (new models inherit them) and a rollback', async () => {
      writeFileSync(join(project, 'models', 'marts', 'customer_count.sql'), 'select count(*) as n from {{ref "customers"}}\n');
      const second = await runCli(['build'], { projectDir: project, target });
      assert.equal(second.code, 0, second.stdout + second.stderr);
      await assertMatrix();
      // Not granted explicitly: admin's default privileges in marts cover a view created by the publish.
      await asRole(analytics, async (db) => assert.equal(await count(db, 'marts.customer_count'), 1));

      const rolled = await runCli(['rollback'], { projectDir: project, target });
      assert.equal(rolled.code, 0, rolled.stdout + rolled.stderr);
      await assertMatrix();
      await asRole(analytics, (db) => denied(db, 'select * from marts.customer_count', /does not exist/));
      const unchanged = await runGrants();
      assert.equal(unchanged.statements, 0, `publish and rollback kept every grant: ${unchanged.changes.join('; ')}`);
    });

    test('a layer taken away in project.yaml, and a role removed from it, are revoked in the database', async () => {
      setRoles(project, roles('[marts]', false));
      const r = await runGrants();
      assert.ok(r.changes.includes(`REVOKE USAGE ON SCHEMA "staging" FROM "${ds}"`), r.changes.join('\n'));
      assert.ok(r.changes.includes(`REVOKE USAGE ON SCHEMA "marts" FROM "${etl}"`), r.changes.join('\n'));
      await asRole(ds, async (db) => {
        await denied(db, 'select * from staging.stg_orders', /permission denied for schema staging/);
        assert.equal(await count(db, 'marts.customers'), 100);
      });
      await asRole(etl, (db) => denied(db, 'select * from marts.customers', /permission denied for schema marts/));
      await withEngine(target, async (db) => {
        const { rows } = await db.query<{ n: string }>(
          `select count(*) as n from pg_default_acl d cross join lateral aclexplode(d.defaclacl) a
            where a.grantee in (select oid from pg_roles where rolname = any($1))
              and (d.defaclnamespace = 'staging'::regnamespace or a.grantee = (select oid from pg_roles where rolname = $2))`,
          [[ds, etl], etl],
        );
        assert.equal(Number(rows[0]!.n), 0, 'default privileges revoked too');
      });
      assert.equal((await runGrants()).statements, 0);
    });

    test('passwords in the database URL never reach logs, artifacts or output, even when the build fails', async () => {
      const role = `strata_mask_${suffix}`;
      extraRoles.push(role);
      const secret = `Mask-${randomBytes(5).toString('hex')}-p@ss:w/rd`;
      const maskTarget = await factory('postgres').create();
      cleanups.push(() => maskTarget.cleanup());
      const admin = new pg.Client({ connectionString: maskTarget.databaseUrl });
      await admin.connect();
      await admin.query(`create role "${role}" login password '${secret}'`);
      await admin.query(`alter database "${new URL(maskTarget.databaseUrl!).pathname.slice(1)}" owner to "${role}"`);
      await admin.end();
      const u = new URL(maskTarget.databaseUrl!);
      u.username = role;
      u.password = encodeURIComponent(secret);
      const url = u.toString();
      const maskProject = copyProject(JAFFLE);
      cleanups.push(async () => rmSync(maskProject, { recursive: true, force: true }));
      writeFileSync(join(maskProject, 'models', 'marts', 'broken.sql'), 'select \'not a number\'::integer as n from {{ref "customers"}}\n');

      const runs = [
        await runCli(['--json', 'build'], { projectDir: maskProject, env: { DATABASE_URL: url } }),
        await runCli(['--database-url', url, 'build'], { projectDir: maskProject, env: { DATABASE_URL: '' } }),
        // Unreachable server and unknown database: the connection error names the target, masked.
        await runCli(['build'], { projectDir: maskProject, env: { DATABASE_URL: url.replace(/:\d+\//, ':1/') } }),
        await runCli(['--json', 'build'], { projectDir: maskProject, env: { DATABASE_URL: url.replace(/\/[^/?]+$/, '/no_such_db') } }),
      ];
      for (const r of runs) assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(runs[0]!.stdout, /broken/);
      assert.match(runs[1]!.stdout, /broken/);
      assert.match(runs[2]!.stderr + runs[2]!.stdout, new RegExp(`cannot use the database at 127\\.0\\.0\\.1:1/\\w+ \\(${role}\\)`));
      const forms = [secret, encodeURIComponent(secret), secret.split('-')[1]!];
      const places = [
        ...runs.flatMap((r, i) => [{ path: `run ${i} stdout`, text: r.stdout }, { path: `run ${i} stderr`, text: r.stderr }]),
        ...allFiles(maskProject),
      ];
      for (const f of ['logs/pipeline.log', 'target/run_results.json', 'docs/last_run_metrics.json']) {
        assert.ok(places.some((p) => p.path === join(maskProject, f)), `${f} was written`);
      }
      for (const p of places) for (const form of forms) assert.ok(!p.text.includes(form), `${p.path} contains the password`);
    });

    test('hostile vars and seed values are stored literally and break nothing', async () => {
      const evilTarget = await factory('postgres').create();
      cleanups.push(() => evilTarget.cleanup());
      const evilProject = copyProject(JAFFLE);
      cleanups.push(async () => rmSync(evilProject, { recursive: true, force: true }));
      const values = [
        `x'); drop table y; --`,
        `semi; colon, "quoted" $$ dollar $$ $tag$`,
        `back\\slash E'\\n' {{ref "x"}}`,
        `'; select 1; $$`,
      ];
      const csv = (v: string) => `"${v.replaceAll('"', '""')}"`;
      writeFileSync(join(evilProject, 'seeds', 'raw_evil.csv'), `id,note\n${values.map((v, i) => `${i + 1},${csv(v)}`).join('\n')}\n`);
      const varValue = `'; select 1; $$`;
      const yamlVar = `it's "yaml"; drop table y; -- $$`;
      const cfg = readFileSync(join(evilProject, 'project.yaml'), 'utf8');
      writeFileSync(join(evilProject, 'project.yaml'), cfg.replace('vars:\n', () => `vars:\n  evil_default: ${JSON.stringify(yamlVar)}\n`));
      mkdirSync(join(evilProject, 'models', 'staging'), { recursive: true });
      writeFileSync(
        join(evilProject, 'models', 'staging', 'evil.sql'),
        'select id, note, {{var "evil"}} as from_vars, {{var "evil_default"}} as from_yaml from {{ref "raw_evil"}}\n',
      );
      await withEngine(evilTarget, (db) => db.query('create table public.y (i int)'));
      const r = await runCli(['--vars', JSON.stringify({ evil: varValue }), 'build'], { projectDir: evilProject, target: evilTarget });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      await withEngine(evilTarget, async (db) => {
        const { rows } = await db.query<{ id: number; note: string; from_vars: string; from_yaml: string }>('select * from staging.evil order by id');
        assert.deepEqual(rows.map((x) => x.note), values);
        assert.ok(rows.every((x) => x.from_vars === varValue && x.from_yaml === yamlVar), JSON.stringify(rows[0]));
        assert.equal((await db.query(`select 1 from pg_tables where schemaname = 'public' and tablename = 'y'`)).rows.length, 1, 'table y survived');
      });
    });
  });
}
