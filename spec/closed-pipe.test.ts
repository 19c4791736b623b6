/**
 * A reader that stops early closes strata's stdout (`strata --json build | head -1`): the
 * command must go on unheard and end as it would have — a build published, its exit code
 * true — not crash on its next write and leave a batch half-built.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JAFFLE, copyProject, runCli, startCli, targets, type TestTarget } from './support.ts';

/** Runs the CLI with its stdout closed before it writes a byte. */
function withStdoutClosed(args: string[], projectDir: string, target?: TestTarget): Promise<{ code: number; stderr: string }> {
  const run = startCli(args, { projectDir, ...(target ? { target } : {}) });
  run.child.stdout!.destroy();
  return run.done;
}

test('with its stdout closed, a build still publishes and exits 0, help exits 0, a usage error still exits 2', async () => {
  const target = await targets()[0]!.create();
  const project = copyProject(JAFFLE);
  try {
    const built = await withStdoutClosed(['--json', 'build'], project, target);
    assert.equal(built.code, 0, built.stderr);
    assert.doesNotMatch(built.stderr, /EPIPE|Unhandled/);
    const batches = await runCli(['--json', 'batches'], { projectDir: project, target });
    const [batch] = JSON.parse(batches.stdout) as { status: string; current: boolean }[];
    assert.deepEqual([batch?.status, batch?.current], ['published', true]);

    const help = await withStdoutClosed(['build', '--help'], project);
    assert.equal(help.code, 0, help.stderr);
    const usage = await withStdoutClosed(['build', '--select', 'no_such_model'], project, target);
    assert.equal(usage.code, 2, usage.stderr);
  } finally {
    await target.cleanup();
  }
});
