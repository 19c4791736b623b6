/** What every command shares: the global flags, printing, and exit codes from actions. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CommonOptions } from '../api/context.ts';
import { maskSecrets } from '../engine/secrets.ts';
import { consoleSink } from '../observability/console-sink.ts';
import { jsonStdoutSink } from '../observability/json-sinks.ts';

export interface GlobalFlags {
  projectDir: string;
  databaseUrl?: string;
  target?: string;
  direct?: boolean;
  vars?: string;
  json?: boolean;
}

export type Common = CommonOptions & { json: boolean };

/** The options of the API calls, from the program's global flags. */
export function commonOptions(program: Command): Common {
  const g = program.opts<GlobalFlags>();
  return {
    projectDir: resolve(g.projectDir),
    ...(g.databaseUrl ? { databaseUrl: g.databaseUrl } : {}),
    ...(g.target ? { target: g.target } : {}),
    ...(g.direct ? { direct: true } : {}),
    ...(g.vars ? { vars: g.vars } : {}),
    json: g.json === true,
    sinks: [g.json ? jsonStdoutSink() : consoleSink()],
  };
}

/** Prints a result for people, or as one JSON document with --json. */
export function print(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write(maskSecrets(json ? JSON.stringify(value, null, 2) : human()) + '\n');
}

/** An action's result is the process exit code. */
export const act =
  <A extends unknown[]>(fn: (...args: A) => number | Promise<number>) =>
  async (...args: A): Promise<void> => {
    process.exitCode = await fn(...args);
  };
