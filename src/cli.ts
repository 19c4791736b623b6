#!/usr/bin/env -S npx tsx
/**
 * The command line: parses flags, calls the API, prints, sets the exit code. Nothing
 * here knows SQL; everything it does is available from src/api/ as functions.
 */
import { Command, Option } from 'commander';
import { resolveTarget } from './api/target.ts';
import { ExitCode, ProjectError, StrataError, errorMessage } from './core/errors.ts';
import { STRATA_VERSION } from './core/version.ts';
import { maskSecrets } from './engine/secrets.ts';
import type { GlobalFlags } from './cli/context.ts';
import { registerDbtCommands } from './cli/dbt-commands.ts';
import { registerImportCommands } from './cli/import-commands.ts';
import { registerLakeCommands } from './cli/lake-commands.ts';
import { registerOpsCommands } from './cli/ops-commands.ts';
import { registerPipelineCommands } from './cli/pipeline-commands.ts';
import { registerSourceCommands } from './cli/source-commands.ts';
import { registerServeCommand } from './cli/serve-command.ts';
import { strictCommands } from './cli/options.ts';

// A reader that stops early (`strata build --help | head`, `strata --json build | head -1`)
// closes the pipe: the command goes on unheard and its exit code still says how it ended,
// instead of a crash on the first write (a build would stop half-way, its batch left to reap).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
}

const program: Command = new Command('strata')
  .description('SQL-first transformations for PostgreSQL: templated models → bronze/silver/gold, tested, published atomically, exported to parquet.')
  .version(STRATA_VERSION)
  .option('--project-dir <dir>', 'the strata project to run', process.cwd())
  .option('--database-url <url>', 'PostgreSQL URL (default: $DATABASE_URL, $NEON_DB_URL, else the embedded PGlite database)')
  .addOption(new Option('--target <engine>', 'force an engine').choices(['embedded', 'postgres']))
  .option('--direct', 'connect with DATABASE_URL_DIRECT (environment or .env) instead of the pooled URL')
  .option('--vars <yaml>', "override project vars, e.g. '{top_n_reviews: 3}'")
  .option('--json', 'print run events as JSON lines on stdout instead of text')
  .showHelpAfterError()
  .addHelpText('after', (): string => {
    try {
      return `\nTarget now: ${resolveTarget({ projectDir: program.opts<GlobalFlags>().projectDir }).label}\nExit codes: 0 ok, 1 a model or error-severity test failed, 2 usage or project error.`;
    } catch {
      return '';
    }
  });

registerPipelineCommands(program);
registerLakeCommands(program);
registerImportCommands(program);
registerOpsCommands(program);
registerDbtCommands(program);
registerSourceCommands(program);
registerServeCommand(program);
strictCommands(program);

async function main(): Promise<void> {
  process.exitCode = ExitCode.ok;
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    const e = err as { code?: string };
    if (e.code?.startsWith('commander.')) {
      process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? ExitCode.ok : ExitCode.usage;
      return;
    }
    const message = maskSecrets(errorMessage(err));
    process.stderr.write(`${err instanceof ProjectError ? '' : 'error: '}${message}\n`);
    process.exitCode = err instanceof StrataError ? err.exitCode : ExitCode.failed;
  }
}

await main();
