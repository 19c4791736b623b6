/**
 * Through a real PgBouncer in transaction pooling mode (as Neon's pooler): a full build
 * publishes exactly what a direct build publishes. Migrations take a session advisory lock
 * (postgres-migrations), so they go over DATABASE_URL_DIRECT when it is set; the last test
 * records what happens when it is not.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createPostgresEngine } from '../src/engine/postgres.ts';
import { JAFFLE, REPO, TOOLS, copyProject, needs, relationChecksum, runCli, targets, withEngine, type TestTarget } from './support.ts';
import { startPgbouncer, type Pooler } from './support/pgbouncer.ts';
import { unprivilegedUser } from './support/processes.ts';

const server = process.env.STRATA_TEST_DATABASE_URL;
const BATCH = '20260101t000000z-pooler';
/** The key postgres-migrations locks (node_modules/postgres-migrations/dist/with-lock.js). */
const MIGRATIONS_LOCK = '-8525285245963000605';

/** The repo's own project when its gold models exist (they are being written), else jaffle. */
const source = (): string => {
  const gold = join(REPO, 'models', 'gold');
  return existsSync(gold) && readdirSync(gold).some((f) => f.endsWith('.sql')) ? REPO : JAFFLE;
};

// Columns that hold the time a row was loaded or a version was seen (snapshots): they differ between any two builds.
const WALL_CLOCK = ['_loaded_at', 'valid_from', 'valid_to', 'strata_valid_from', 'strata_valid_to'];

/** published relation → checksum of its rows (wall-clock columns left out) */
async function published(target: TestTarget): Promise<Map<string, string>> {
  return withEngine(target, async (db) => {
    const { rows } = await db.query<{ rel: string; cols: string }>(
      `select format('%I.%I', r.published_schema, r.model) as rel,
              string_agg(format('%I', c.column_name), ', ' order by c.ordinal_position) as cols
         from strata.batch_relations r join strata.current_batch using (batch_id)
         join information_schema.columns c on c.table_schema = r.published_schema and c.table_name = r.model
        where not (c.column_name = any($1::text[]))
        group by 1 order by 1`,
      [WALL_CLOCK],
    );
    const sums = new Map<string, string>();
    for (const { rel, cols } of rows) sums.set(rel, await relationChecksum(db, `(select ${cols} from ${rel})`));
    return sums;
  });
}

if (server) {
  describe('build through PgBouncer (transaction pooling)', needs(TOOLS.pgbouncer), () => {
    let pooler: Pooler;
    let direct: TestTarget;
    let pooled: TestTarget;
    let pooledOnly: TestTarget;
    let project: string;
    let expected: Map<string, string>;
    const factory = targets().find((t) => t.name === 'postgres')!;

    before(async () => {
      const s = new URL(server);
      pooler = await startPgbouncer(unprivilegedUser(), { host: s.hostname, port: Number(s.port || 5432), user: decodeURIComponent(s.username) });
      [direct, pooled, pooledOnly] = await Promise.all([factory.create(), factory.create(), factory.create()]);
      project = copyProject(source());
    });
    after(async () => {
      await pooler?.stop();
      for (const t of [direct, pooled, pooledOnly]) await t?.cleanup();
      if (project) rmSync(project, { recursive: true, force: true });
    });

    test('a full build through the pooler (migrations over DATABASE_URL_DIRECT) publishes the same data as a direct build', async () => {
      const d = await runCli(['build', '--batch-id', BATCH, '--seed-from', join(project, 'sample', 'amazon')], { projectDir: project, target: direct, env: { DATABASE_URL_DIRECT: '' } });
      assert.equal(d.code, 0, d.stdout + d.stderr);
      expected = await published(direct);
      assert.ok(expected.size > 0);

      const url = pooler.through(pooled.databaseUrl!);
      const p = await runCli(['build', '--batch-id', BATCH, '--seed-from', join(project, 'sample', 'amazon')], { projectDir: project, env: { DATABASE_URL: url, DATABASE_URL_DIRECT: pooled.databaseUrl! } });
      assert.equal(p.code, 0, p.stdout + p.stderr);
      const dbName = new URL(url).pathname.slice(1);
      assert.match(pooler.log(), new RegExp(`${dbName}/\\S+ login attempt`), 'the build really went through PgBouncer');
      assert.deepEqual(await published(pooled), expected);
    });

    test('without DATABASE_URL_DIRECT a build works on an idle pooler, but the migration lock is not safe through it', async (t) => {
      const url = pooler.through(pooledOnly.databaseUrl!);
      const r = await runCli(['build', '--batch-id', BATCH, '--seed-from', join(project, 'sample', 'amazon')], { projectDir: project, env: { DATABASE_URL: url, DATABASE_URL_DIRECT: '' } });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.deepEqual(await published(pooledOnly), expected);

      // postgres-migrations locks with pg_try_advisory_lock and unlocks with pg_advisory_unlock, as
      // two statements on what it believes is one session. In transaction mode PgBouncer may run them
      // on different server connections: here another client's transaction takes the first meanwhile.
      const session = createPostgresEngine(url, { maxConnections: 1 });
      const other = createPostgresEngine(url, { maxConnections: 1 });
      let unlocked: boolean | undefined;
      try {
        await session.withSession(async (client) => {
          await client.query(`select pg_try_advisory_lock(${MIGRATIONS_LOCK})`);
          await other.transaction(async (tx) => {
            await tx.query('select 1');
            unlocked = (await client.query(`select pg_advisory_unlock(${MIGRATIONS_LOCK}) as ok`)).rows[0]!.ok as boolean;
          });
        });
      } finally {
        await session.close();
        await other.close();
      }
      const dbName = new URL(url).pathname.slice(1);
      await withEngine(direct, async (db) => {
        const held = await db.query<{ pid: number }>(
          `select pid from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = $1)`,
          [dbName],
        );
        t.diagnostic(`unlock returned ${unlocked}; advisory locks left behind on PgBouncer's server connections: ${held.rows.length}`);
        assert.equal(unlocked, false, 'the unlock ran on another server connection');
        assert.equal(held.rows.length, 1, 'the migrations lock leaked: the next migrate would poll for it forever');
        // Free it, as PgBouncer would only when it recycles that server connection.
        for (const { pid } of held.rows) await db.query('select pg_terminate_backend($1)', [pid]);
      });
    });
  });
}
