import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import type { Engine } from './engine.ts';
import { createMemoryPgliteEngine, createPgliteEngine, pgliteOptions, preparePgliteTemplate } from './pglite.ts';
import { copyTemplateTo, pgliteTemplateDir } from './pglite-template.ts';

test('the first new embedded database leaves a template; later ones are copies of it, each its own database', async () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-i17b-template-'));
  const before = process.env.STRATA_CACHE_DIR;
  process.env.STRATA_CACHE_DIR = join(root, 'cache');
  try {
    const template = pgliteTemplateDir()!;
    assert.match(template, /pglite-\d+\.\d+\.\d+/);
    const first = await createPgliteEngine(join(root, 'one'));
    await first.exec('create table only_in_one (x int); insert into only_in_one values (1)');
    assert.ok(existsSync(join(template, 'PG_VERSION')), 'initdb left a template');
    await first.close();

    mkdirSync(join(root, 'two'));
    const second = await createPgliteEngine(join(root, 'two'));
    try {
      const { rows } = await second.query<{ t: string | null }>(`select to_regclass('only_in_one')::text as t`);
      assert.equal(rows[0]!.t, null, 'a copy of the template holds nothing of another database');
      const { rows: sb } = await second.query<{ s: string }>(`select current_setting('shared_buffers') as s`);
      assert.equal(sb[0]!.s, '32MB');
      const { rows: dbs } = await second.query<{ datname: string }>('select datname from pg_database');
      assert.deepEqual(dbs.map((d) => d.datname), ['postgres'], 'template0 and template1 are not copied into every new database');
    } finally {
      await second.close();
    }
    const files = readdirSync(template, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).length;
    assert.ok(files < 400, `the template is ${files} files`);
    assert.deepEqual(readdirSync(root).filter((f) => f.includes('copying')), [], 'no staging folder is left behind');
    assert.equal(await preparePgliteTemplate(), template, "npm install's step keeps the template there is");
    // …and leaves a spare copy, prepared by its caller (strata's bookkeeping schema), which
    // the next new database that asks for that preparation takes whole (a rename, no copy).
    const prepare = async (e: Engine): Promise<void> => e.exec('create schema prepared_at_install');
    assert.equal(await preparePgliteTemplate({ tag: 'v1', prepare }), template);
    assert.ok(existsSync(join(`${template}.spare-v1`, 'global', 'pg_control')), 'npm install leaves a spare data directory');
    const hasPrepared = async (e: Engine): Promise<boolean> =>
      (await e.query<{ n: string }>(`select count(*)::text as n from pg_namespace where nspname = 'prepared_at_install'`)).rows[0]!.n === '1';
    const otherTag = await createPgliteEngine(join(root, 'four'), { spare: 'v2' });
    try {
      assert.equal(await hasPrepared(otherTag), false, 'a spare prepared by other code is not taken');
      assert.ok(existsSync(`${template}.spare-v1`));
    } finally {
      await otherTag.close();
    }
    const fromSpare = await createPgliteEngine(join(root, 'five'), { spare: 'v1' });
    try {
      assert.equal(existsSync(`${template}.spare-v1`), false, 'the new database took the spare');
      assert.equal(await hasPrepared(fromSpare), true);
      const { rows } = await fromSpare.query<{ t: string | null }>(`select to_regclass('only_in_one')::text as t`);
      assert.equal(rows[0]!.t, null);
    } finally {
      await fromSpare.close();
    }
    assert.ok(existsSync(join(template, 'global', 'pg_control')), 'the template stays');
    const afterSpare = await createPgliteEngine(join(root, 'six'), { spare: 'v1' });
    try {
      assert.equal(await hasPrepared(afterSpare), false, 'once the spare is taken, new databases are copies of the template again');
    } finally {
      await afterSpare.close();
    }
    await preparePgliteTemplate({ tag: 'v3', prepare });
    assert.deepEqual(readdirSync(join(root, 'cache')).filter((f) => f.includes('.spare')), [`${basename(template)}.spare-v3`], 'one spare, of the newest tag');
    // A throw-away database (unit tests) is a copy of the template, removed on close.
    const throwAway = await createMemoryPgliteEngine();
    const copy = /throw-away copy in (.+)\)$/.exec(throwAway.label)?.[1];
    assert.ok(copy && existsSync(join(copy, 'PG_VERSION')), throwAway.label);
    await throwAway.exec('create table t (x int)');
    await throwAway.close();
    assert.equal(existsSync(copy), false, 'its copy is gone on close');
    // A data directory that already holds something is never overwritten.
    mkdirSync(join(root, 'three'));
    writeFileSync(join(root, 'three', 'keep.txt'), 'mine');
    assert.equal(copyTemplateTo(template, join(root, 'three')), false);
    assert.deepEqual(readdirSync(join(root, 'three')), ['keep.txt']);
  } finally {
    if (before === undefined) delete process.env.STRATA_CACHE_DIR;
    else process.env.STRATA_CACHE_DIR = before;
    rmSync(root, { recursive: true, force: true });
  }
});

test('STRATA_PGLITE_SHARED_BUFFERS must be a size', () => {
  assert.ok(pgliteOptions({ STRATA_PGLITE_SHARED_BUFFERS: '256MB' }).startParams!.includes('shared_buffers=256MB'));
  assert.throws(() => pgliteOptions({ STRATA_PGLITE_SHARED_BUFFERS: '32MB; drop' }), /must be a size such as 32MB/);
});
