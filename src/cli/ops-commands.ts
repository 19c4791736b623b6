/** grants, docs, health, metrics: the commands of the people who run the pipeline. */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ExitCode, errorMessage } from '../core/errors.ts';
import type { HealthReport } from '../observability/health.ts';
import { DEFAULT_HEALTH_TIMEOUT_MS } from '../observability/health-timeout.ts';
import { formatFailure, lastFailure } from '../observability/last-failure.ts';
import { projectPaths } from '../api/context.ts';
import { act, commonOptions, print } from './context.ts';
import { flag } from './options.ts';

export function registerOpsCommands(program: Command): void {
  program
    .command('grants')
    .description('create/update the roles of project.yaml and apply their grants per layer (also runs after every publish and rollback)')
    .option('--check', 'only report drift (undeclared privileges or roles, SUPERUSER/CREATEROLE/BYPASSRLS on a declared role); exit 1 when there is any')
    .addHelpText('after', '\nExamples:\n  strata grants\n  strata grants --check     # audit: changes nothing')
    .action(act(async (flags: { check?: boolean }) => {
      const c = commonOptions(program);
      if (flags.check) {
        const { grantsCheck } = await import('../api/grants.ts');
        const drift = await grantsCheck(c);
        print(c.json, drift, () => (drift.length ? drift.map((d) => `DRIFT  ${d.kind.padEnd(15)} ${d.role}: ${d.detail}`).join('\n') : 'no drift: the database matches project.yaml'));
        return drift.length ? ExitCode.failed : ExitCode.ok;
      }
      const { grants } = await import('../api/grants.ts');
      const r = await grants(c);
      print(c.json, r, () => [...r.changes.map((x) => `  ${x}`), r.changes.length ? '' : 'grants already up to date', r.note ?? ''].filter(Boolean).join('\n'));
      return ExitCode.ok;
    }));

  program
    .command('docs')
    .description('write the documentation site target/docs/index.html: models, columns, tests, SQL, lineage, last run, lake batches')
    .option('-s, --select <selector>', 'only these models (and the seeds and sources they read) in the site; dbt syntax, repeatable', (v: string, p: string[] = []) => [...p, v])
    .option('--exclude <selector>', 'leave these models out (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('--serve', 'then serve it on http://127.0.0.1:<port>/')
    .option('--port <n>', 'port for --serve (0: any free port)', flag.port, 8080)
    .action(act(async (o: { serve?: boolean; port: number; select?: string[]; exclude?: string[] }) => {
      const c = commonOptions(program);
      // Each command loads what it uses: the docs site, the lake and Arrow only here.
      const [{ loadAndCompile }, { chooseModels }, { generateDocsSite, loadDocsInputs, serveDocs, toLakeBatchRows }, { listBatches: listLakeBatches }] = await Promise.all([
        import('../api/compile.ts'),
        import('../api/selection.ts'),
        import('../docs/index.ts'),
        import('../lake/batches.ts'),
      ]);
      const { compiled } = await loadAndCompile({ ...c, writeArtifacts: true });
      const chosen = chooseModels(compiled, o);
      const cfg = compiled.project.config;
      const lakeDir = join(c.projectDir, cfg.lake.path);
      const lakeBatches = (
        await Promise.all(cfg.lake.layers.map(async (layer) => (existsSync(join(lakeDir, layer)) ? toLakeBatchRows(layer, await listLakeBatches(lakeDir, layer)) : [])))
      ).flat();
      const inputs = loadDocsInputs(c.projectDir);
      // A selection keeps its models; seeds stay, and the graph drops edges to what is left out.
      const nodes = Object.fromEntries(Object.entries(inputs.manifest.nodes).filter(([name, n]) => n.kind !== 'model' || chosen.has(name)));
      const r = generateDocsSite({ ...inputs, manifest: { ...inputs.manifest, nodes }, lakeBatches }, { latencyBudgetS: cfg.health.pipelineLatencySeconds });
      print(c.json, r, () => `wrote ${r.path} (${r.models} models, ${r.edges} edges)`);
      if (!o.serve) return ExitCode.ok;
      const server = serveDocs(dirname(r.path), o.port);
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
    .command('logs')
    .description('find the last failed run in logs/pipeline.log and print what failed (models, data tests, errors)')
    .addHelpText('after', '\nExamples:\n  strata logs\n  strata --json logs | jq .lines')
    .action(act(async () => {
      const c = commonOptions(program);
      const path = projectPaths(c.projectDir).log;
      const f = lastFailure(path);
      print(c.json, f, () => formatFailure(f, path));
      return ExitCode.ok;
    }));

  const HEALTH_EXIT = { healthy: 0, degraded: 1, down: 2 } as const;

  program
    .command('health')
    .description('check DB connectivity, the last run, gold freshness, the lake, migrations and that database, lake and last run agree; exit 0 healthy, 1 degraded, 2 down (or never built)')
    .option('--timeout <seconds>', 'answer within this many seconds whatever happens (a slow check reports down)', flag.seconds, DEFAULT_HEALTH_TIMEOUT_MS / 1000)
    .addHelpText('after', '\nExamples:\n  strata health\n  strata --json health --timeout 5\n  strata --direct health     # through DATABASE_URL_DIRECT when the pooler is down')
    .action(act(async (flags: { timeout: number }) => {
      const c = commonOptions(program);
      const [{ health }, { formatHealth }] = await Promise.all([import('../api/health.ts'), import('../observability/health.ts')]);
      const report = await health({ ...c, timeoutMs: flags.timeout * 1000 });
      print(c.json, report, () => formatHealth(report));
      exitSoon();
      return HEALTH_EXIT[report.status];
    }));

  program
    .command('metrics')
    .description("print the KPIs, run counters and per-model figures in Prometheus' text format (for node_exporter's textfile collector)")
    .option('--out <file>', 'write them to this file atomically instead of stdout (always written, down included)')
    .option('--timeout <seconds>', 'gather them within this many seconds', flag.seconds, DEFAULT_HEALTH_TIMEOUT_MS / 1000)
    .action(act(async (flags: { out?: string; timeout: number }) => {
      const c = commonOptions(program);
      const [{ health }, { timedOutReport }] = await Promise.all([import('../api/health.ts'), import('../observability/health.ts')]);
      let report: HealthReport;
      try {
        report = await health({ ...c, timeoutMs: flags.timeout * 1000 });
      } catch (err) {
        // A broken project or .env must not leave the previous (healthy) file behind.
        report = { ...timedOutReport(c.projectDir, flags.timeout), checks: [{ name: 'health', status: 'down', detail: errorMessage(err) }] };
        process.stderr.write(`error: ${errorMessage(err)}\n`);
      }
      const [{ prometheusText }, { writeTextAtomic }] = await Promise.all([import('../observability/metrics.ts'), import('../observability/artifacts.ts')]);
      const text = prometheusText(report);
      if (flags.out) writeTextAtomic(resolve(flags.out), text);
      else process.stdout.write(text);
      exitSoon();
      return ExitCode.ok;
    }));
}

/** A check past its deadline may leave a query or connection attempt behind: do not wait for it. */
function exitSoon(): void {
  setTimeout(() => process.exit(), 1_000).unref();
}
