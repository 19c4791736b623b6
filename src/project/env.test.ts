import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { projectEnv } from './env.ts';
import { tempProject } from '../../spec/temp-project.ts';

test('.env is read under the process environment, and a world-readable one is warned about', () => {
  const dir = tempProject('env', { '.env': 'STRATA_ENV_TEST_A=from-file\nSTRATA_ENV_TEST_B=from-file\n' });
  const file = join(dir, '.env');
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
