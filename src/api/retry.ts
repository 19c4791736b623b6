/**
 * `retry`: runs again what failed or was skipped in the last run, with the command it
 * used (build, run or test), read from target/run_results.json. A failed test retries the
 * model it tests, so its rows are rebuilt before they are judged again.
 */
import { ExitCode, StrataError } from '../core/errors.ts';
import { build, type BuildOptions } from './build.ts';
import type { CommonOptions } from './context.ts';
import { lastRunResults } from './selection.ts';
import { test } from './test.ts';

/** What the last run left to do: its command and the models to select. */
export function retryPlan(projectDir: string): { command: string; models: string[] } {
  const last = lastRunResults(projectDir);
  if (!last) throw new StrataError('nothing to retry: no earlier run (target/run_results.json) in this project', ExitCode.usage);
  const models = new Set<string>();
  for (const r of last.results ?? []) {
    const failed = r.kind === 'model' ? ['error', 'skipped'].includes(r.status) : ['fail', 'error', 'skipped'].includes(r.status);
    const name = r.kind === 'model' ? r.name : r.model;
    if (failed && name) models.add(name);
  }
  return { command: last.command ?? 'build', models: [...models] };
}

export async function retry(opts: CommonOptions & Pick<BuildOptions, 'threads' | 'lockTimeoutMs' | 'failFast'>): Promise<{ exitCode: number; command: string; models: string[] }> {
  const { command, models } = retryPlan(opts.projectDir);
  if (models.length === 0) return { exitCode: ExitCode.ok, command, models };
  const select = [models.join(' ')];
  if (command === 'test') return { ...(await test({ ...opts, select })), command, models };
  if (command !== 'build' && command !== 'run') throw new StrataError(`the last run was \`${command}\`, which retry does not repeat (it repeats build, run and test)`, ExitCode.usage);
  return { exitCode: (await build({ ...opts, mode: command, select })).exitCode, command, models };
}
