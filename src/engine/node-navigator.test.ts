import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const REPO = join(import.meta.dirname, '..', '..');

test("loading the PostgreSQL engine does not load Node's fetch (pg's Cloudflare check finds a navigator)", () => {
  const probe = `
    await import(${JSON.stringify(join(REPO, 'src', 'engine', 'postgres.ts'))});
    const pg = (await import('pg')).default;
    console.log(JSON.stringify({
      undici: process.moduleLoadList.filter((m) => m.includes('undici')),
      userAgent: globalThis.navigator?.userAgent ?? null,
      client: typeof pg.Client,
    }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { cwd: REPO, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const seen = JSON.parse(r.stdout) as { undici: string[]; userAgent: string | null; client: string };
  assert.deepEqual(seen.undici, [], 'undici was loaded');
  assert.match(seen.userAgent ?? '', /^Node\.js\/\d+$/);
  assert.equal(seen.client, 'function');
});
