import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { retryPlan } from './retry.ts';

const dir = mkdtempSync(join(tmpdir(), 'strata-retry-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('retry plans the models that failed or were skipped, and the models of failed, errored or skipped tests', () => {
  assert.throws(() => retryPlan(dir), /nothing to retry: no earlier run/);
  mkdirSync(join(dir, 'target'));
  writeFileSync(
    join(dir, 'target', 'run_results.json'),
    JSON.stringify({
      command: 'build',
      results: [
        { kind: 'model', name: 'ok_model', status: 'success' },
        { kind: 'model', name: 'broken', status: 'error' },
        { kind: 'model', name: 'after_broken', status: 'skipped' },
        { kind: 'test', name: 't1', model: 'judged', status: 'fail' },
        { kind: 'test', name: 't2', model: 'warned', status: 'warn' },
        { kind: 'test', name: 't3', model: 'ok_model', status: 'pass' },
        { kind: 'test', name: 't4', model: null, status: 'error' },
      ],
    }),
  );
  assert.deepEqual(retryPlan(dir), { command: 'build', models: ['broken', 'after_broken', 'judged'] });
});
