import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Engine } from '../engine/engine.ts';
import { createMemoryPgliteEngine } from '../engine/pglite.ts';
import { runMigrations, type DeclaredSource } from './migrate.ts';

const RAW: DeclaredSource = { name: 'raw', schema: 'raw', tables: ['events', 'users'] };
let scratch: string;
/** One throw-away database for every test (≈2.6 s of CPU to open one here), reset by each. */
let db: Engine;

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'strata-migrate-'));
  db = await createMemoryPgliteEngine();
});
after(async () => {
  await db?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** A migrations folder holding these files. */
function migrations(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  for (const [file, sql] of Object.entries(files)) writeFileSync(join(dir, file), sql);
  return dir;
}

/** The database as `setup` leaves it, with no ledger and nothing of the earlier tests. */
async function withDatabase(setup: string, fn: (db: Engine) => Promise<void>): Promise<void> {
  await db.exec('drop schema if exists raw cascade; drop table if exists public.migrations, public.strata_helper');
  await db.exec(setup);
  await fn(db);
}

const exists = async (db: Engine, relation: string): Promise<boolean> =>
  (await db.query<{ t: string | null }>('select to_regclass($1)::text as t', [relation])).rows[0]!.t !== null;

const CREATE_RAW = 'create schema if not exists raw;\ncreate table raw.events (id int);\ncreate table raw.users (id int);\n';

test('sources the migrations would create, already made by their owner: nothing run, nothing written', async () => {
  const dir = migrations('owned', { '1_raw.sql': CREATE_RAW, '2_more.sql': 'create table public.strata_helper (id int);\n' });
  await withDatabase('create schema raw; create table raw.events (id int, extra text); create table raw.users (id int)', async (db) => {
    assert.deepEqual(await runMigrations(db, dir, [RAW]), { applied: [], adopted: ['raw'] });
    assert.equal(await exists(db, 'public.migrations'), false, 'no ledger written');
    assert.equal(await exists(db, 'public.strata_helper'), false);
  });
});

test('migrations that create no source table run as always, whatever the sources', async () => {
  const dir = migrations('helpers', { '1_helper.sql': 'create table public.strata_helper (id int);\n' });
  await withDatabase('create schema raw; create table raw.events (id int); create table raw.users (id int)', async (db) => {
    const r = await runMigrations(db, dir, [RAW]);
    assert.deepEqual(r.adopted, []);
    assert.ok(r.applied.includes('1_helper.sql'), JSON.stringify(r));
    assert.equal(await exists(db, 'public.strata_helper'), true);
  });
});

test('an empty database gets the sources; a ledger with migrations keeps them running', async () => {
  const dir = migrations('fresh', { '1_raw.sql': CREATE_RAW });
  await withDatabase('select 1', async (db) => {
    assert.ok((await runMigrations(db, dir, [RAW])).applied.includes('1_raw.sql'));
    assert.equal(await exists(db, 'raw.users'), true);
    // Once strata's migrations ran here, the sources are theirs: a new one runs, none is adopted.
    writeFileSync(join(dir, '2_index.sql'), 'create index on raw.events (id);\n');
    assert.deepEqual(await runMigrations(db, dir, [RAW]), { applied: ['2_index.sql'], adopted: [] });
  });
});

test('a source only partly there stops before anything runs, naming what is there and what is not', async () => {
  const dir = migrations('partial', { '1_raw.sql': CREATE_RAW });
  await withDatabase('create schema raw; create table raw.events (id int)', async (db) => {
    await assert.rejects(runMigrations(db, dir, [RAW]), /source raw is partly there: raw\.events exists but raw\.users does not, and strata's migrations never ran on this database, so nothing was created or run/);
    assert.equal(await exists(db, 'raw.users'), false);
    assert.equal(await exists(db, 'public.migrations'), false);
  });
});

test('one source made by its owner and another still to create: the migrations cannot serve both, so nothing runs', async () => {
  const LOG: DeclaredSource = { name: 'log', schema: 'raw', tables: ['clicks'] };
  const dir = migrations('two', { '1_raw.sql': CREATE_RAW + 'create table raw.clicks (id int);\n' });
  await withDatabase('create schema raw; create table raw.events (id int); create table raw.users (id int)', async (db) => {
    await assert.rejects(runMigrations(db, dir, [RAW, LOG]), /sources raw, log are partly there: raw\.events, raw\.users exist but raw\.clicks does not/);
    assert.equal(await exists(db, 'raw.clicks'), false);
  });
});
