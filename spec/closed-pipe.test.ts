/**
 * A reader that stops early closes strata's stdout (`strata --json build | head -1`): the
 * command must go on unheard and end as it would have — a build published, its exit code
 * true — not crash on its next write and leave a batch half-built.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { CLI_ARGS, JAFFLE, REPO, copyProject, runCli, targets } from './support.ts';

/** Runs the CLI with its stdout closed before it writes a byte; resolves with the exit code and stderr. */
function withStdoutClosed(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI_ARGS, ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test('with its stdout closed, a build still publishes and exits 0, help exits 0, a usage error still exits 2', async () => {
  const target = await targets()[0]!.create();
  const project = copyProject(JAFFLE);
  try {
    const built = await withStdoutClosed(['--project-dir', project, '--json', 'build'], target.env);
    assert.equal(built.code, 0, built.stderr);
    assert.doesNotMatch(built.stderr, /EPIPE|Unhandled/);
    const batches = await runCli(['--json', 'batches'], { projectDir: project, target });
    const [batch] = JSON.parse(batches.stdout) as { status: string; current: boolean }[];
    assert.deepEqual([batch?.status, batch?.current], ['published', true]);

    const help = await withStdoutClosed(['build', '--help'], {});
    assert.equal(help.code, 0, help.stderr);
    const usage = await withStdoutClosed(['--project-dir', project, 'build', '--select', 'no_such_model'], target.env);
    assert.equal(usage.code, 2, usage.stderr);
  } finally {
    await target.cleanup();
  }
});
