/** build, run, test, compile, migrate, seed, generate, rollback, batches. */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { batches, migrate, rollback, seed, seedSample } from '../api/admin.ts';
import { build, type BuildOptions } from '../api/build.ts';
import { compileProject } from '../api/compile.ts';
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
      .option('--batch-id <id>', 'id of this batch: lower-case letters and digits joined by single hyphens, at most 40 (default: UTC timestamp + random suffix)', flag.newBatchId)
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
    .option('--seed-from <dir>', 'first load this directory\'s <table>.csv files (e.g. from `generate` or `import`) into the source tables; refused unless they are empty')
    .action(act((flags: RunCmdFlags) => runBatch('build', flags)));

  runFlags(program.command('run'))
    .description('build the selected models into a new batch and publish it when all succeed (no data tests)')
    .action(act((flags: RunCmdFlags) => runBatch('run', flags)));

  selection(program.command('test'))
    .description('run the data tests of the selected models against the published layers')
    .action(act(async (flags: { select?: string[]; exclude?: string[] }) => (await test({ ...commonOptions(program), ...flags })).exitCode));

  program
    .command('compile')
    .description('render every model to target/compiled/ and write target/manifest.json; touches no database')
    .action(act(() => {
      const c = commonOptions(program);
      const { compiled, tests, timings } = compileProject({ ...c, writeArtifacts: true });
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
    .description("load seeds/*.csv into strata's seed schema with COPY; --sample loads sample data into EMPTY source tables instead")
    .option('--sample', "load the sources' sample folders (project.yaml `sources.*.sample`) into their tables; refused when any holds a row")
    .option('--from <dir>', 'with --sample: load this directory\'s <table>.csv files (e.g. from `generate`) instead')
    .option('--full-refresh', 'load every seed into the new batch, changed or not')
    .addHelpText('after', '\nExamples:\n  strata seed                                   # the lookup seeds (AFINN, learned sentiment)\n  strata seed --sample                          # the 3,000-review sample into an empty amazon schema\n  strata seed --sample --from /tmp/generated    # a generated data set, same rule')
    .action(act(async (flags: { from?: string; sample?: boolean; fullRefresh?: boolean }) => {
      const c = commonOptions(program);
      if (flags.sample || flags.from) {
        const tables = await seedSample({ ...c, ...(flags.from ? { from: resolve(flags.from) } : {}) });
        print(c.json, tables, () => tables.map((t) => `  ${t.relation}: ${t.rows.toLocaleString('en-US')} rows from ${t.file}`).join('\n'));
        return ExitCode.ok;
      }
      const results = await seed({ ...c, ...(flags.fullRefresh ? { fullRefresh: true } : {}) });
      if (c.json) print(true, results, () => '');
      else for (const r of results) console.log(`  ${r.seed}: ${r.rows} rows ${r.status}, primary key (${r.primaryKey.join(', ') || 'none'}) verified`);
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
