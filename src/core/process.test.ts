import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { ownProcessStart, processAlive, processStart } from './process.ts';

const linux = process.platform === 'linux';

test('a mark names one process: alive while it runs, gone when it ended, and a later process with its pid is not it', { skip: !linux && 'needs /proc' }, async () => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  await once(child, 'spawn');
  const pid = child.pid!;
  const start = processStart(pid);
  assert.equal(typeof start, 'number');
  assert.ok(start! >= ownProcessStart()!, 'a child starts after its parent');
  assert.equal(processAlive(pid, hostname(), start), true);
  // The same pid with another start: the process that left the mark is gone, whoever has its pid now.
  assert.equal(processAlive(pid, hostname(), start! - 1), false);
  // Without a start (marks written before it was kept), the pid alone decides.
  assert.equal(processAlive(pid), true);
  child.kill('SIGKILL');
  await once(child, 'exit');
  assert.equal(processStart(pid), null);
  assert.equal(processAlive(pid, hostname(), start), false);
  assert.equal(processAlive(pid), false);
});

test('a mark from another host counts as alive: nothing there can be checked', () => {
  assert.equal(processAlive(1, 'some-other-host', 12345), true);
});
