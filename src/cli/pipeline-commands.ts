/**
 * build, run, test, compile, migrate, seed, generate, rollback, batches. Each action imports
 * its API module when it runs, so a command loads only what it uses (`compile` never loads
 * a database driver or the parquet writer: start-up is most of a small command's time).
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { BuildOptions } from '../api/build.ts';
import type { SelectionOptions } from '../api/selection.ts';
import { ExitCode } from '../core/errors.ts';
import { act, commonOptions, print } from './context.ts';
import { flag } from './options.ts';
import { RANGES, describeRange } from '../core/ranges.ts';
import { groupThousands } from '../core/numbers.ts';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const SELECT_EXAMPLES = `
Selection examples (dbt's grammar and meaning):
  -s "stg_orders+"                  stg_orders and everything downstream
  -s "tag:finance,layer:gold"       models with tag finance AND in gold
  -s "tag:finance tag:marts"        models with either tag
  -s "2+orders" / -s "orders+1"     two generations up / one down
  -s "@stg_orders"                  it, its descendants and their ancestors
  -s "source:jaffle+"               the models reading source jaffle, and downstream
  -s "config.materialized:table"    by config
  -s "state:modified+" --state prod-artifacts/   changed since that manifest, and downstream
  -s "result:error+"                what failed last time (see also \`retry\`)
  --selector nightly                a definition in selectors.yml`;

export function registerPipelineCommands(program: Command): void {
  const selection = (cmd: Command): Command =>
    cmd
      .option('-s, --select <selector>', 'models to include, dbt syntax: space = or, comma = and; name, +name, name+, 2+name, name+1, @name, tag:, layer:, path:, source:x+, config.<key>:, resource_type:, state:modified, result:error, selector: (repeatable)', collect)
      .option('--exclude <selector>', 'models to leave out (same syntax, repeatable)', collect)
      .option('--selector <name>', 'a selection defined in selectors.yml')
      .option('--state <dir>', 'folder holding an earlier manifest.json, for state:modified / state:new')
      .addHelpText('after', SELECT_EXAMPLES);

  const runFlags = (cmd: Command): Command =>
    selection(cmd)
      .option('--full-refresh', 'rebuild incremental models from scratch')
      .option('--threads <n>', `models built at once, ${describeRange(RANGES.threads)} (PostgreSQL; PGlite runs one)`, flag.threads)
      .option('--batch-id <id>', 'id of this batch: lower-case letters and digits joined by single hyphens, at most 40 (default: UTC timestamp + random suffix)', flag.newBatchId)
      .option('--fail-fast', 'stop at the first failed model or test: nothing new starts, the rest is skipped')
      .addOption(new Option('--lock-timeout <seconds>', 'how long to wait for another build to finish (0: do not wait)').argParser(flag.lockTimeoutMs).default(60_000, '60'));

  interface RunCmdFlags {
    select?: string[];
    exclude?: string[];
    selector?: string;
    state?: string;
    fullRefresh?: boolean;
    threads?: number;
    batchId?: string;
    lockTimeout: number;
    seedFrom?: string;
    dryRun?: boolean;
    sql?: boolean;
    failFast?: boolean;
  }

  async function runBatch(mode: 'build' | 'run', flags: RunCmdFlags): Promise<number> {
    const opts: BuildOptions = {
      ...commonOptions(program),
      mode,
      ...(flags.select ? { select: flags.select } : {}),
      ...(flags.exclude ? { exclude: flags.exclude } : {}),
      ...(flags.selector ? { selector: flags.selector } : {}),
      ...(flags.state ? { state: flags.state } : {}),
      ...(flags.fullRefresh ? { fullRefresh: true } : {}),
      ...(flags.threads !== undefined ? { threads: flags.threads } : {}),
      ...(flags.batchId ? { batchId: flags.batchId } : {}),
      ...(flags.seedFrom ? { seedFrom: resolve(flags.seedFrom) } : {}),
      ...(flags.failFast ? { failFast: true } : {}),
      lockTimeoutMs: flags.lockTimeout,
    };
    if (flags.dryRun) return explain(opts, flags.sql === true);
    const { build } = await import('../api/build.ts');
    return (await build(opts)).exitCode;
  }

  async function explain(opts: BuildOptions, sql: boolean): Promise<number> {
    const { explainBatch, formatPlan } = await import('../api/explain.ts');
    const plan = await explainBatch(opts);
    print(commonOptions(program).json, plan, () => formatPlan(plan, { sql }));
    return ExitCode.ok;
  }

  runFlags(program.command('build'))
    .description('migrate, seed (when changed), run and test every model in DAG order, publish the batch atomically, and write its lake layers (data/)')
    .option('--seed-from <dir>', 'first load this directory\'s <table>.csv files (e.g. from `generate` or `import`) into the source tables; refused unless they are empty')
    .option('--dry-run', 'build nothing: print the plan the build would execute — per model create, rebuild, merge, reuse or skip, and why (the same as `strata explain`)')
    .option('--sql', 'with --dry-run: also print every statement of the plan')
    .addHelpText('after', '\nA model whose SQL, build config and inputs (the models it reads, the content of its source and seed tables)\nare unchanged since the published batch is reused: the new batch points at its table.\n\nExamples:\n  strata build --dry-run          # the plan: reuse / merge / rebuild per model, and why\n  strata build --full-refresh     # rebuild everything')
    .action(act((flags: RunCmdFlags) => runBatch('build', flags)));

  runFlags(program.command('explain'))
    .description('print the plan a build would execute (per model: the action, why, and with --sql its statements); builds nothing')
    .option('--sql', 'also print every statement of the plan')
    .addHelpText('after', '\nExamples:\n  strata explain\n  strata explain --select fact_reviews+ --sql\n  strata --json build --dry-run --full-refresh')
    .action(act((flags: RunCmdFlags) => runBatch('build', { ...flags, dryRun: true })));

  runFlags(program.command('run'))
    .description('build the selected models into a new batch and publish it when all succeed (no data tests)')
    .action(act((flags: RunCmdFlags) => runBatch('run', flags)));

  selection(program.command('test'))
    .description('run the data tests of the selected models against the published layers; --unit: their unit tests instead')
    .option('--unit', 'run the unit tests (unit_tests: in models/**.yml) on given rows, on an in-memory embedded database (or on --target/--database-url when given)')
    .addHelpText('after', '\nExamples:\n  strata test                          data tests on the published layers\n  strata test --unit                   unit tests, no server needed\n  strata test --unit --select review_rank\n  strata --target postgres test --unit unit tests on the configured PostgreSQL')
    .action(act(async (flags: SelectionOptions & { unit?: boolean }) => {
      const { unit, ...selected } = flags;
      if (unit) {
        const { unitTest } = await import('../api/unit-test.ts');
        return (await unitTest({ ...commonOptions(program), ...selected })).exitCode;
      }
      const { test } = await import('../api/test.ts');
      return (await test({ ...commonOptions(program), ...selected })).exitCode;
    }));

  selection(program.command('compile'))
    .description('render the models to target/compiled/ and write target/manifest.json (always the whole project); touches no database')
    .option('--no-partial-parse', 'compile even when nothing changed since the last compile (which is otherwise reused, as dbt\'s partial parsing does)')
    .action(act(async (flags: SelectionOptions & { partialParse: boolean }) => {
      const c = commonOptions(program);
      const { compileCommand } = await import('../api/compile-command.ts');
      const r = await compileCommand(c, flags, { partialParse: flags.partialParse });
      const ms = Math.round(r.ms.readMs + r.ms.compileMs);
      print(c.json, { models: r.models, total: r.total, tests: r.tests, order: r.order, upToDate: r.upToDate, ms: r.ms }, () =>
        r.upToDate
          ? `${r.models} of ${r.total} models and ${r.tests} tests up to date: nothing changed since the last compile (checked in ${ms} ms; --no-partial-parse compiles anyway) → target/compiled/, target/manifest.json`
          : `compiled ${r.models} of ${r.total} models and ${r.tests} tests in ${ms} ms → target/compiled/, target/manifest.json`,
      );
      return ExitCode.ok;
    }));

  program
    .command('migrate')
    .description('apply migrations/ to the target (postgres-migrations); idempotent')
    .action(act(async () => {
      const c = commonOptions(program);
      const { migrate } = await import('../api/admin.ts');
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
      const { seed, seedSample } = await import('../api/admin.ts');
      if (flags.sample || flags.from) {
        const tables = await seedSample({ ...c, ...(flags.from ? { from: resolve(flags.from) } : {}) });
        print(c.json, tables, () => tables.map((t) => `  ${t.relation}: ${groupThousands(t.rows)} rows from ${t.file}`).join('\n'));
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
      const { generateDataset } = await import('../generate/index.ts');
      const files = await generateDataset({ reviews: flags.reviews, seed: flags.seed, outDir: resolve(flags.out) });
      print(c.json, files, () => files.map((f) => `  ${f.table}: ${groupThousands(f.rows)} rows → ${f.path}`).join('\n') + `\ngenerated in ${((performance.now() - t) / 1000).toFixed(1)}s`);
      return ExitCode.ok;
    }));

  program
    .command('rollback')
    .description('publish the previous batch again, in one transaction (instant: its schemas are kept)')
    .option('--to <batch-id>', 'a specific earlier published batch', flag.batchId)
    .action(act(async (flags: { to?: string }) => {
      const c = commonOptions(program);
      const { rollback } = await import('../api/admin.ts');
      const r = await rollback({ ...c, ...(flags.to ? { to: flags.to } : {}) });
      if (c.json) print(true, r, () => '');
      return ExitCode.ok;
    }));

  program
    .command('clean')
    .description('mark batches whose build died (killed, crashed) failed, drop their schemas and remove what their exports left in the lake; every build does this first')
    .option('--lock-timeout <seconds>', 'wait this long for a running build to finish', flag.lockTimeoutMs, 60_000)
    .addHelpText('after', '\nExamples:\n  strata clean\n  strata --json clean --lock-timeout 5')
    .action(act(async (flags: { lockTimeout: number }) => {
      const c = commonOptions(program);
      const { cleanDeadBatches } = await import('../api/admin.ts');
      const reaped = await cleanDeadBatches({ ...c, lockTimeoutMs: flags.lockTimeout });
      print(c.json, reaped, () =>
        reaped.length ? reaped.map((r) => `cleaned dead batch ${r.batchId}: dropped ${r.dropped.join(', ') || 'no schemas'}`).join('\n') : 'no dead batches',
      );
      return ExitCode.ok;
    }));

  program
    .command('batches')
    .description('list the batches in the database: status, times, which one is published')
    .action(act(async () => {
      const c = commonOptions(program);
      const { batches } = await import('../api/admin.ts');
      const list = await batches(c);
      print(c.json, list, () =>
        list.map((b) => `${b.current ? '*' : ' '} ${b.batchId}  ${b.status.padEnd(11)} ${b.command.padEnd(5)} started ${b.startedAt.toISOString()}`).join('\n') || 'no batches yet',
      );
      return ExitCode.ok;
    }));
}
