/** build, run, test, compile, migrate, seed, generate, rollback, batches. */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { batches, migrate, rollback, seed } from '../api/admin.ts';
import { build, type BuildOptions } from '../api/build.ts';
import { compileProject } from '../api/compile.ts';
import { unitTest } from '../api/unit-test.ts';
import { test } from '../api/test.ts';
import { ExitCode } from '../core/errors.ts';
import { generateDataset } from '../generate/index.ts';
import { act, commonOptions, print } from './context.ts';
import { flag } from './options.ts';
import { RANGES, describeRange } from '../core/ranges.ts';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerPipelineCommands(program: Command): void {
  const selection = (cmd: Command): Command =>
    cmd
      .option('-s, --select <selector>', 'models to include: name, +name, name+, tag:x, layer:x, path glob (repeatable)', collect)
      .option('--exclude <selector>', 'models to leave out (same syntax, repeatable)', collect);

  const runFlags = (cmd: Command): Command =>
    selection(cmd)
      .option('--full-refresh', 'rebuild incremental models from scratch')
      .option('--threads <n>', `models built at once, ${describeRange(RANGES.threads)} (PostgreSQL; PGlite runs one)`, flag.threads)
      .option('--batch-id <id>', 'id of this batch (default: UTC timestamp + random suffix)', flag.batchId)
      .addOption(new Option('--lock-timeout <seconds>', 'how long to wait for another build to finish (0: do not wait)').argParser(flag.lockTimeoutMs).default(60_000, '60'));

  interface RunCmdFlags {
    select?: string[];
    exclude?: string[];
    fullRefresh?: boolean;
    threads?: number;
    batchId?: string;
    lockTimeout: number;
    seedFrom?: string;
  }

  async function runBatch(mode: 'build' | 'run', flags: RunCmdFlags): Promise<number> {
    const opts: BuildOptions = {
      ...commonOptions(program),
      mode,
      ...(flags.select ? { select: flags.select } : {}),
      ...(flags.exclude ? { exclude: flags.exclude } : {}),
      ...(flags.fullRefresh ? { fullRefresh: true } : {}),
      ...(flags.threads !== undefined ? { threads: flags.threads } : {}),
      ...(flags.batchId ? { batchId: flags.batchId } : {}),
      ...(flags.seedFrom ? { seedFrom: resolve(flags.seedFrom) } : {}),
      lockTimeoutMs: flags.lockTimeout,
    };
    return (await build(opts)).exitCode;
  }

  runFlags(program.command('build'))
    .description('migrate, seed (when changed), run and test every model in DAG order, then publish the batch atomically')
    .option('--seed-from <dir>', 'load the seeds from this directory (e.g. generated data) instead of seeds/')
    .action(act((flags: RunCmdFlags) => runBatch('build', flags)));

  runFlags(program.command('run'))
    .description('build the selected models into a new batch and publish it when all succeed (no data tests)')
    .action(act((flags: RunCmdFlags) => runBatch('run', flags)));

  selection(program.command('test'))
    .description('run the data tests of the selected models against the published layers; --unit: their unit tests instead')
    .option('--unit', 'run the unit tests (unit_tests: in models/**.yml) on given rows, on an in-memory embedded database (or on --target/--database-url when given)')
    .addHelpText('after', '\nExamples:\n  strata test                          data tests on the published layers\n  strata test --unit                   unit tests, no server needed\n  strata test --unit --select review_rank\n  strata --target postgres test --unit unit tests on the configured PostgreSQL')
    .action(act(async (flags: { select?: string[]; exclude?: string[]; unit?: boolean }) => {
      const { unit, ...selected } = flags;
      if (unit) return (await unitTest({ ...commonOptions(program), ...selected })).exitCode;
      return (await test({ ...commonOptions(program), ...selected })).exitCode;
    }));

  program
    .command('compile')
    .description('render every model to target/compiled/ and write target/manifest.json; touches no database')
    .action(act(async () => {
      const c = commonOptions(program);
      const { compiled, tests, timings } = await compileProject({ ...c, writeArtifacts: true });
      print(c.json, { models: compiled.models.size, tests: tests.length, order: compiled.order, ms: timings }, () =>
        `compiled ${compiled.models.size} models and ${tests.length} tests in ${Math.round(timings.readMs + timings.compileMs)} ms → target/compiled/, target/manifest.json`,
      );
      return ExitCode.ok;
    }));

  program
    .command('migrate')
    .description('apply migrations/ to the target (postgres-migrations); idempotent')
    .action(act(async () => {
      const c = commonOptions(program);
      const r = await migrate(c);
      if (c.json) print(true, r, () => '');
      return ExitCode.ok;
    }));

  program
    .command('seed')
    .description('load seeds/*.csv (or --from DIR) into their tables with COPY, then verify row counts and keys')
    .option('--from <dir>', 'directory of CSV files, e.g. from `generate`, named like the seeds')
    .action(act(async (flags: { from?: string }) => {
      const c = commonOptions(program);
      const results = await seed({ ...c, ...(flags.from ? { from: resolve(flags.from) } : {}) });
      if (c.json) print(true, results, () => '');
      else for (const r of results) console.log(`  ${r.seed}: ${r.rows} rows, primary key (${r.primaryKey.join(', ') || 'none'}) verified`);
      return ExitCode.ok;
    }));

  program
    .command('generate')
    .description('write a deterministic synthetic Amazon-reviews data set as CSV, for `seed --from`')
    .option('--reviews <n>', 'number of reviews', flag.count, 10_000)
    .option('--seed <s>', 'random seed (an integer)', flag.seed, 42)
    .requiredOption('--out <dir>', 'output directory')
    .action(act(async (flags: { reviews: number; seed: number; out: string }) => {
      const c = commonOptions(program);
      const t = performance.now();
      const files = await generateDataset({ reviews: flags.reviews, seed: flags.seed, outDir: resolve(flags.out) });
      print(c.json, files, () => files.map((f) => `  ${f.table}: ${f.rows.toLocaleString('en-US')} rows → ${f.path}`).join('\n') + `\ngenerated in ${((performance.now() - t) / 1000).toFixed(1)}s`);
      return ExitCode.ok;
    }));

  program
    .command('rollback')
    .description('publish the previous batch again, in one transaction (instant: its schemas are kept)')
    .option('--to <batch-id>', 'a specific earlier published batch', flag.batchId)
    .action(act(async (flags: { to?: string }) => {
      const c = commonOptions(program);
      const r = await rollback({ ...c, ...(flags.to ? { to: flags.to } : {}) });
      if (c.json) print(true, r, () => '');
      return ExitCode.ok;
    }));

  program
    .command('batches')
    .description('list the batches in the database: status, times, which one is published')
    .action(act(async () => {
      const c = commonOptions(program);
      const list = await batches(c);
      print(c.json, list, () =>
        list.map((b) => `${b.current ? '*' : ' '} ${b.batchId}  ${b.status.padEnd(11)} ${b.command.padEnd(5)} started ${b.startedAt.toISOString()}`).join('\n') || 'no batches yet',
      );
      return ExitCode.ok;
    }));
}
