import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { STATE_VERSION, ensureState } from '../batch/state.ts';
import { preparePgliteTemplate } from '../engine/pglite.ts';
import { pgliteTemplateDir } from '../engine/pglite-template.ts';
import { openEngine } from './target.ts';

const root = mkdtempSync(join(tmpdir(), 'strata-open-engine-'));
after(() => rmSync(root, { recursive: true, force: true }));

test("the spare embedded database (strata's bookkeeping ready-made) goes to a command that sets that bookkeeping up, not to one that only looks", async () => {
  const installed = pgliteTemplateDir();
  assert.ok(installed && existsSync(join(installed, 'PG_VERSION')), 'npm install made the template');
  const before = process.env.STRATA_CACHE_DIR;
  process.env.STRATA_CACHE_DIR = join(root, 'cache');
  try {
    // This installation's template, and a spare made as npm install makes it.
    const template = pgliteTemplateDir()!;
    cpSync(installed, template, { recursive: true });
    await preparePgliteTemplate({ tag: STATE_VERSION, prepare: ensureState });
    const spare = `${template}.spare-${STATE_VERSION}`;
    assert.ok(existsSync(spare));
    const hasState = async (dataDir: string, withState: boolean): Promise<boolean> => {
      const engine = await openEngine({ kind: 'pglite', dataDir, label: basename(dataDir) }, { withState });
      try {
        return (await engine.query<{ t: string | null }>(`select to_regclass('strata.batches')::text as t`)).rows[0]!.t !== null;
      } finally {
        await engine.close();
      }
    };
    // health, serve: a copy of the template, where strata has never built; the spare stays.
    assert.equal(await hasState(join(root, 'looked-at'), false), false);
    assert.ok(existsSync(spare), 'a command that only looks leaves the spare');
    // build, migrate, …: the spare, bookkeeping and all.
    assert.equal(await hasState(join(root, 'built-on'), true), true);
    assert.equal(existsSync(spare), false, 'taken by the first command that sets up the bookkeeping');
  } finally {
    if (before === undefined) delete process.env.STRATA_CACHE_DIR;
    else process.env.STRATA_CACHE_DIR = before;
  }
});
