#!/usr/bin/env -S npx tsx
/**
 * The command line: parses flags, calls the API, prints, sets the exit code. Nothing
 * here knows SQL; everything it does is available from src/api/ as functions.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { build, type BuildOptions } from './api/build.ts';
import { compileProject } from './api/compile.ts';
import type { CommonOptions } from './api/context.ts';
import { batches, migrate, rollback, seed } from './api/admin.ts';
import { resolveTarget } from './api/target.ts';
import { test } from './api/test.ts';
import { health } from './api/health.ts';
import { grants } from './api/grants.ts';
import { generateDocsSite, loadDocsInputs, serveDocs, toLakeBatchRows } from './docs/index.ts';
import { listBatches as listLakeBatches } from './lake/batches.ts';
import { exportCommand, lakeList, lakePrune, lakeRestore, lakeRollback, lakeVerify } from './api/lake.ts';
import { formatHealth } from './observability/health.ts';
import { prometheusText } from './observability/metrics.ts';
import { writeTextAtomic } from './observability/artifacts.ts';
import { ExitCode, ProjectError, StrataError, errorMessage } from './core/errors.ts';
import { STRATA_VERSION } from './core/version.ts';
import { maskSecrets } from './engine/url.ts';
import { generateDataset } from './generate/index.ts';
import { consoleSink } from './observability/console-sink.ts';
import { jsonStdoutSink } from './observability/json-sinks.ts';

interface GlobalFlags {
  projectDir: string;
  databaseUrl?: string;
  target?: string;
  vars?: string;
  json?: boolean;
}

const program: Command = new Command('strata')
  .description('SQL-first transformations for PostgreSQL: templated models → bronze/silver/gold, tested, published atomically, exported to parquet.')
  .version(STRATA_VERSION)
  .option('--project-dir <dir>', 'the strata project to run', process.cwd())
  .option('--database-url <url>', 'PostgreSQL URL (default: $DATABASE_URL, $NEON_DB_URL, else the embedded PGlite database)')
  .addOption(new Option('--target <engine>', 'force an engine').choices(['embedded', 'postgres']))
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

function common(): CommonOptions & { json: boolean } {
  const g = program.opts<GlobalFlags>();
  return {
    projectDir: resolve(g.projectDir),
    ...(g.databaseUrl ? { databaseUrl: g.databaseUrl } : {}),
    ...(g.target ? { target: g.target } : {}),
    ...(g.vars ? { vars: g.vars } : {}),
    json: g.json === true,
    sinks: [g.json ? jsonStdoutSink() : consoleSink()],
  };
}

/** Prints a result for people, or as one JSON document with --json. */
function print(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write(maskSecrets(json ? JSON.stringify(value, null, 2) : human()) + '\n');
}

/** An action's result is the process exit code. */
const act =
  <A extends unknown[]>(fn: (...args: A) => number | Promise<number>) =>
  async (...args: A): Promise<void> => {
    process.exitCode = await fn(...args);
  };

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
const selection = (cmd: Command): Command =>
  cmd
    .option('-s, --select <selector>', 'models to include: name, +name, name+, tag:x, layer:x, path glob (repeatable)', collect)
    .option('--exclude <selector>', 'models to leave out (same syntax, repeatable)', collect);

const runFlags = (cmd: Command): Command =>
  selection(cmd)
    .option('--full-refresh', 'rebuild incremental models from scratch')
    .option('--threads <n>', 'models built at once (PostgreSQL; PGlite runs one)', (v: string) => Number.parseInt(v, 10))
    .option('--batch-id <id>', 'id of this batch (default: UTC timestamp + random suffix)')
    .option('--lock-timeout <seconds>', 'how long to wait for another build to finish', (v: string) => Number(v) * 1000, 60_000);

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
    ...common(),
    mode,
    ...(flags.select ? { select: flags.select } : {}),
    ...(flags.exclude ? { exclude: flags.exclude } : {}),
    ...(flags.fullRefresh ? { fullRefresh: true } : {}),
    ...(flags.threads ? { threads: flags.threads } : {}),
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
  .description('run the data tests of the selected models against the published layers')
  .action(act(async (flags: { select?: string[]; exclude?: string[] }) => (await test({ ...common(), ...flags })).exitCode));

program
  .command('compile')
  .description('render every model to target/compiled/ and write target/manifest.json; touches no database')
  .action(act(() => {
    const c = common();
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
    const c = common();
    const r = await migrate(c);
    if (c.json) print(true, r, () => '');
    return ExitCode.ok;
  }));

program
  .command('seed')
  .description('load seeds/*.csv (or --from DIR) into their tables with COPY, then verify row counts and keys')
  .option('--from <dir>', 'directory of CSV files, e.g. from `generate`, named like the seeds')
  .action(act(async (flags: { from?: string }) => {
    const c = common();
    const results = await seed({ ...c, ...(flags.from ? { from: resolve(flags.from) } : {}) });
    if (c.json) print(true, results, () => '');
    else for (const r of results) console.log(`  ${r.seed}: ${r.rows} rows, primary key (${r.primaryKey.join(', ') || 'none'}) verified`);
    return ExitCode.ok;
  }));

program
  .command('generate')
  .description('write a deterministic synthetic Amazon-reviews data set as CSV, for `seed --from`')
  .option('--reviews <n>', 'number of reviews', (v: string) => Number.parseInt(v, 10), 10_000)
  .option('--seed <s>', 'random seed', (v: string) => Number.parseInt(v, 10), 42)
  .requiredOption('--out <dir>', 'output directory')
  .action(act(async (flags: { reviews: number; seed: number; out: string }) => {
    const c = common();
    const t = performance.now();
    const files = await generateDataset({ reviews: flags.reviews, seed: flags.seed, outDir: resolve(flags.out) });
    print(c.json, files, () => files.map((f) => `  ${f.table}: ${f.rows.toLocaleString('en-US')} rows → ${f.path}`).join('\n') + `\ngenerated in ${((performance.now() - t) / 1000).toFixed(1)}s`);
    return ExitCode.ok;
  }));

program
  .command('rollback')
  .description('publish the previous batch again, in one transaction (instant: its schemas are kept)')
  .option('--to <batch-id>', 'a specific earlier published batch')
  .action(act(async (flags: { to?: string }) => {
    const c = common();
    const r = await rollback({ ...c, ...(flags.to ? { to: flags.to } : {}) });
    if (c.json) print(true, r, () => '');
    return ExitCode.ok;
  }));

program
  .command('batches')
  .description('list the batches in the database: status, times, which one is published')
  .action(act(async () => {
    const c = common();
    const list = await batches(c);
    print(c.json, list, () =>
      list.map((b) => `${b.current ? '*' : ' '} ${b.batchId}  ${b.status.padEnd(11)} ${b.command.padEnd(5)} started ${b.startedAt.toISOString()}`).join('\n') || 'no batches yet',
    );
    return ExitCode.ok;
  }));

program
  .command('grants')
  .description('create/update the roles of project.yaml and apply their grants per layer (also runs after every publish and rollback)')
  .action(act(async () => {
    const c = common();
    const r = await grants(c);
    print(c.json, r, () => [...r.changes.map((x) => `  ${x}`), r.changes.length ? '' : 'grants already up to date', r.note ?? ''].filter(Boolean).join('\n'));
    return ExitCode.ok;
  }));

program
  .command('docs')
  .description('write the documentation site target/docs/index.html: models, columns, tests, SQL, lineage, last run, lake batches')
  .option('--serve', 'then serve it on http://127.0.0.1:<port>/')
  .option('--port <n>', 'port for --serve', '8080')
  .action(act(async (o: { serve?: boolean; port: string }) => {
    const c = common();
    const { compiled } = compileProject({ ...c, writeArtifacts: true });
    const cfg = compiled.project.config;
    const lakeDir = join(c.projectDir, cfg.lake.path);
    const lakeBatches = (
      await Promise.all(cfg.lake.layers.map(async (layer) => (existsSync(join(lakeDir, layer)) ? toLakeBatchRows(layer, await listLakeBatches(lakeDir, layer)) : [])))
    ).flat();
    const r = generateDocsSite({ ...loadDocsInputs(c.projectDir), lakeBatches }, { latencyBudgetS: cfg.health.pipelineLatencySeconds });
    print(c.json, r, () => `wrote ${r.path} (${r.models} models, ${r.edges} edges)`);
    if (!o.serve) return ExitCode.ok;
    const server = serveDocs(dirname(r.path), Number(o.port));
    return new Promise<number>((done) => {
      server.on('listening', () => console.log(`serving http://127.0.0.1:${(server.address() as AddressInfo).port}/ (Ctrl-C to stop)`));
      server.on('error', (e) => {
        console.error(`error: cannot serve the docs: ${errorMessage(e)}`);
        done(ExitCode.usage);
      });
      server.on('close', () => done(ExitCode.ok));
    });
  }));

program
  .command('export')
  .description('write the published batch (or --batch-id) of the lake layers to data/<layer>/batch=<id>/ as parquet')
  .option('--batch-id <id>', 'a batch still kept in the database (default: the published one)')
  .option('--layers <list>', 'comma-separated layers (default: lake.layers in project.yaml)', (v: string) => v.split(','))
  .option('-s, --select <models>', 'comma-separated model names', (v: string) => v.split(','))
  .option('--replace', 're-export a batch already in the lake (e.g. after `lake verify` found it damaged)')
  .action(act(async (o: { batchId?: string; layers?: string[]; select?: string[]; replace?: boolean }) => {
    const c = common();
    const results = await exportCommand({ ...c, ...o });
    if (c.json) print(true, results.map((r) => ({ layer: r.layer, batchId: r.batchId, dir: r.dir, activated: r.activated, tables: r.manifest.tables })), () => '');
    return ExitCode.ok;
  }));

const lake = program.command('lake').description('the parquet lake: list, rollback, prune, verify, restore');
const mb = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MB`;
const age = (ms: number): string => (ms < 3_600_000 ? `${Math.round(ms / 60_000)} min` : ms < 172_800_000 ? `${(ms / 3_600_000).toFixed(1)} h` : `${Math.round(ms / 86_400_000)} d`);

lake
  .command('list')
  .description('batches per layer: size, rows, which is active, age, completeness')
  .option('--layer <layer>', 'one layer only')
  .action(act(async (o: { layer?: string }) => {
    const c = common();
    const layers = await lakeList({ ...c, ...o });
    print(c.json, layers.map((l) => ({ layer: l.layer, batches: l.batches.map(({ manifest: _m, ...b }) => b) })), () =>
      layers
        .map((l) =>
          [`${l.layer}:`, ...(l.batches.length ? l.batches : []).map((b) =>
            `  ${b.active ? '*' : ' '} ${b.id.padEnd(28)} ${(b.complete ? 'complete' : `INCOMPLETE (${b.problem ?? 'no manifest'})`).padEnd(12)} ${mb(b.sizeBytes).padStart(9)} ${String(Object.values(b.rows).reduce((a, n) => a + n, 0)).padStart(10)} rows  ${age(b.ageMs)} old`,
          ), l.batches.length ? '' : '  (no batches)'].filter(Boolean).join('\n'),
        )
        .join('\n'),
    );
    return ExitCode.ok;
  }));

lake
  .command('rollback')
  .description('point active at an earlier complete batch (default: the one before it)')
  .option('--to <batch-id>', 'the batch to activate')
  .option('--db', "also publish that batch in the database's layers again")
  .option('--layer <layer>', 'one layer only')
  .action(act(async (o: { to?: string; db?: boolean; layer?: string }) => {
    const c = common();
    const results = await lakeRollback({ ...c, ...o });
    print(c.json, results, () => results.map((r) => `${r.layer}: active ${r.from ?? '(none)'} → ${r.to}${o.db ? ' (database too)' : ''}`).join('\n'));
    return ExitCode.ok;
  }));

lake
  .command('prune')
  .description('delete batches older than lake.retention_days (never the active one)')
  .option('--dry-run', 'only say what would be deleted')
  .option('--layer <layer>', 'one layer only')
  .action(act(async (o: { dryRun?: boolean; layer?: string }) => {
    const c = common();
    const results = await lakePrune({ ...c, ...o });
    print(c.json, results.map((r) => ({ layer: r.layer, dryRun: r.result.dryRun, deleted: r.result.deleted.map((b) => b.id), kept: r.result.kept.map((b) => b.id), freedBytes: r.result.freedBytes })), () =>
      results.map((r) => `${r.layer}: ${r.result.dryRun ? 'would delete' : 'deleted'} ${r.result.deleted.map((b) => b.id).join(', ') || 'nothing'} (${mb(r.result.freedBytes)}); kept ${r.result.kept.length}`).join('\n'),
    );
    return ExitCode.ok;
  }));

lake
  .command('verify')
  .description('check every file of a batch (default: the active one) against its manifest: presence, size, sha256, row count')
  .option('--batch-id <id>', 'the batch to check')
  .option('--layer <layer>', 'one layer only')
  .action(act(async (o: { batchId?: string; layer?: string }) => {
    const c = common();
    const results = await lakeVerify({ ...c, ...o });
    print(c.json, results, () =>
      results.map((r) => (r.ok ? `${r.layer} batch ${r.batchId}: OK (${r.verified.length} files)` : [`${r.layer} batch ${r.batchId}: DAMAGED`, ...r.damaged.map((d) => `  ${d.file}: ${d.reason}`)].join('\n'))).join('\n'),
    );
    return results.every((r) => r.ok) ? ExitCode.ok : ExitCode.failed;
  }));

lake
  .command('restore')
  .description("load a lake batch back into the database and publish it (the recovery path when the database is lost)")
  .option('--batch-id <id>', 'the batch (default: the active one)')
  .action(act(async (o: { batchId?: string }) => {
    const c = common();
    const results = await lakeRestore({ ...c, ...o });
    print(c.json, results, () => results.map((r) => `restored batch ${r.batchId}: ${r.tables.map((t) => `${t.name} (${t.rows} rows)`).join(', ')}`).join('\n'));
    return ExitCode.ok;
  }));

const HEALTH_EXIT = { healthy: 0, degraded: 1, down: 2 } as const;

program
  .command('health')
  .description('check DB connectivity, the last run, gold freshness, the lake and migrations; exit 0 healthy, 1 degraded, 2 down')
  .action(act(async () => {
    const c = common();
    const report = await health(c);
    print(c.json, report, () => formatHealth(report));
    return HEALTH_EXIT[report.status];
  }));

program
  .command('metrics')
  .description("print the KPIs and per-model figures in Prometheus' text format (for node_exporter's textfile collector)")
  .option('--out <file>', 'write them to this file atomically instead of stdout')
  .action(act(async (flags: { out?: string }) => {
    const c = common();
    const text = prometheusText(await health(c));
    if (flags.out) writeTextAtomic(resolve(flags.out), text);
    else process.stdout.write(text);
    return ExitCode.ok;
  }));

async function main(): Promise<void> {
  process.exitCode = ExitCode.ok;
  try {
    program.exitOverride();
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
