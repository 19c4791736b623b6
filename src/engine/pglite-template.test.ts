import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
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
    } finally {
      await second.close();
    }
    assert.deepEqual(readdirSync(root).filter((f) => f.includes('copying')), [], 'no staging folder is left behind');
    assert.equal(await preparePgliteTemplate(), template, "npm install's step keeps the template there is");
    // …and leaves a spare copy, which the next new database takes whole (a rename, no copy).
    const spare = `${template}.spare`;
    assert.ok(existsSync(join(spare, 'global', 'pg_control')), 'npm install leaves a spare data directory');
    const fromSpare = await createPgliteEngine(join(root, 'four'));
    try {
      assert.equal(existsSync(spare), false, 'the new database took the spare');
      const { rows } = await fromSpare.query<{ t: string | null }>(`select to_regclass('only_in_one')::text as t`);
      assert.equal(rows[0]!.t, null);
      await fromSpare.exec('create table only_in_four (x int)');
    } finally {
      await fromSpare.close();
    }
    assert.ok(existsSync(join(template, 'global', 'pg_control')), 'the template stays');
    const afterSpare = await createPgliteEngine(join(root, 'five'));
    try {
      const { rows } = await afterSpare.query<{ t: string | null }>(`select to_regclass('only_in_four')::text as t`);
      assert.equal(rows[0]!.t, null, 'once the spare is taken, new databases are copies of the template again');
    } finally {
      await afterSpare.close();
    }
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
