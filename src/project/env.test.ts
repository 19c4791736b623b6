import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { projectEnv } from './env.ts';

test('.env is read under the process environment, and a world-readable one is warned about', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-env-'));
  const file = join(dir, '.env');
  writeFileSync(file, 'STRATA_ENV_TEST_A=from-file\nSTRATA_ENV_TEST_B=from-file\n');
  process.env.STRATA_ENV_TEST_B = 'from-process';
  try {
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    const env = projectEnv(dir, (m) => warnings.push(m));
    assert.equal(env.STRATA_ENV_TEST_A, 'from-file');
    assert.equal(env.STRATA_ENV_TEST_B, 'from-process', 'the environment wins');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /readable by other users .* chmod 600/);
    chmodSync(file, 0o600);
    warnings.length = 0;
    projectEnv(dir, (m) => warnings.push(m));
    assert.deepEqual(warnings, []);
  } finally {
    delete process.env.STRATA_ENV_TEST_B;
  }
});
