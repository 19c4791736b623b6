import { loadAndCompile, type CompileResult } from './compile.ts';
import type { CompiledTest } from '../compile/types.ts';
import { projectPaths, type CommonOptions } from './context.ts';
import { executeBatch, publishedMapping } from './execute-batch.ts';
import { eventBus, openSession, type Session } from './session.ts';
import { preloadDriver } from './target.ts';
import { migrateSession } from './admin.ts';
import { grantsInSession } from './grants.ts';
import { startBuildExport, type BuildExport } from './lake.ts';
import { testsFor } from './build-plan.ts';
import { runProjectUnitTests } from './unit-test.ts';
import { chooseModels, type SelectionOptions } from './selection.ts';
import { acquireBuildLock } from '../batch/lock.ts';
import { newBatchId, validateNewBatchId } from '../batch/naming.ts';
import { readDatabaseState, saveFingerprints } from '../batch/reuse.ts';
import { planBatch } from '../plan/plan.ts';
import { unitTestFingerprint, unitTestsToRun } from '../plan/fingerprint.ts';
import { readPassedUnitTests, recordPassedUnitTests } from '../unit/passed.ts';
import { expireOldBatches, publishBatch } from '../batch/publish.ts';
import { dropSchemasOfBatch, reapDeadBatches } from '../batch/reap.ts';
import { recordRun } from '../batch/run-counters.ts';
import { dropBatchSchema } from '../batch/schemas.ts';
import { finishBatch, startBatch } from '../batch/state.ts';
import { ExitCode, StrataError, errorMessage } from '../core/errors.ts';
import type { RunSummary, StepTimes } from '../core/results.ts';
import type { Engine } from '../engine/engine.ts';
import { maskSecrets } from '../engine/secrets.ts';
import { writeJsonAtomic, lastRunMetricsArtifact, runResultsArtifact } from '../observability/artifacts.ts';
import { loadSeeds } from '../seeds/load.ts';
import { loadSample, SampleRefused, sampleSourcesEmpty } from '../sources/sample.ts';
import { assertSourceContracts } from '../sources/contracts.ts';
import type { Project } from '../project/types.ts';

export interface BuildOptions extends CommonOptions, SelectionOptions {
  fullRefresh?: boolean;
  threads?: number;
  batchId?: string;
  lockTimeoutMs?: number;
  /** `build`: migrate, seed when changed, run tests; `run`: models only. */
  mode: 'build' | 'run';
  seedFrom?: string;
  /** Stop at the first failed model or test; everything not started is skipped. */
  failFast?: boolean;
  /** Export the lake layers (default true): on a server each table as soon as its model is done, each layer made visible after publishing. */
  export?: boolean;
}

export interface BuildResult {
  summary: RunSummary;
  exitCode: number;
}

const seconds = (from: number): number => Math.round(performance.now() - from) / 1000;

/**
 * One batch, write–audit–publish: compile, (migrate, seed,) build every chosen model
 * into the batch's own schemas with its tests right after it, and publish all layers in
 * one transaction only when nothing failed. A failed batch leaves the published layers
 * exactly as they were and removes its schemas.
 */
export async function build(opts: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const batchId = opts.batchId ?? newBatchId();
  const badId = validateNewBatchId(batchId);
  if (badId) throw new StrataError(`--batch-id ${JSON.stringify(batchId)}: ${badId}`, ExitCode.usage);

  preloadDriver(opts);
  const { compileResult, chosen, tests } = await prepareBatch(opts, batchId);
  const { compiled } = compileResult;
  const projectDir = compiled.project.dir;

  const bus = eventBus(opts, projectDir);
  bus.batchId = batchId;
  const steps: StepTimes = { compile: seconds(started) };
  const summary: RunSummary = {
    command: opts.mode, batchId, target: '', status: 'failed', published: false, startedAt, finishedAt: startedAt, durationS: 0, steps, models: [], tests: [],
  };
  let session: Session | undefined;
  // Only a batch this run started is marked failed: a reused id must not mark the published one.
  let batchStarted = false;
  const createdSchemas: string[] = [];
  let release: (() => Promise<void>) | undefined;
  let lake: BuildExport | undefined;
  try {
    const to = performance.now();
    // The lake export beside the models reads one table per layer at a time (startBuildExport).
    const lakeLayers = opts.export === false ? 0 : compiled.project.config.lake.layers.length;
    session = await openSession({ ...opts, ...(opts.threads ? { threads: opts.threads } : {}), extraConnections: lakeLayers }, projectDir, bus);
    const opening = seconds(to);
    // Unit tests first, before any data is touched: a model whose logic fails them builds
    // nothing. They run on the build's own database, as dbt runs them in the warehouse (the
    // same server version and settings as the models), each in a transaction rolled back at
    // its end (src/unit/run.ts): a throw-away PGlite for a server build cost ≈ 1 s of CPU
    // and ≈ 200 MB.
    if (opts.mode === 'build' && !(await unitTestStep(session.engine))) return { summary, exitCode: ExitCode.failed };
    // connect: opening the session, then the lock and the clean-up after dead builds (the unit tests between are timed apart).
    const tc = performance.now();
    const { engine } = session;
    summary.target = session.target.label;
    const threads = Math.min(opts.threads ?? compiled.project.config.threads, engine.maxConcurrency);
    bus.emit({ event: 'run_start', command: opts.mode, target: session.target.label, models: chosen.size, tests: tests.length });

    const lock = await acquireBuildLock(engine, { batchId, command: `strata ${opts.mode}`, timeoutMs: opts.lockTimeoutMs ?? 60_000 });
    release = () => lock.release();
    // Holding the lock, every other `running` batch is a build that died: clean up after it.
    for (const dead of await reapDeadBatches(engine, { except: batchId, by: `strata ${opts.mode} ${batchId}` })) {
      bus.emit({ event: 'warning', message: `batch ${dead.batchId} was left running by a build that died: marked failed, dropped ${dead.dropped.length ? dead.dropped.join(', ') : 'no schemas'}` });
    }

    steps.connect = +(opening + seconds(tc)).toFixed(3);
    if (opts.mode === 'build') {
      const t = performance.now();
      const { applied, adopted } = await migrateSession(session, compiled.project);
      steps.migrate = seconds(t);
      bus.emit({ event: 'migrate_end', applied, adopted, duration_s: steps.migrate });
    }
    // The sources must keep their promises before anything reads (or loads) them.
    const ts = performance.now();
    await assertSourceContracts(engine, compiled.project);
    steps.connect = +(steps.connect! + seconds(ts)).toFixed(3);
    if (opts.mode === 'build') await sampleStep(session, compiled.project, opts.seedFrom);

    await startBatch(engine, batchId, opts.mode);
    batchStarted = true;
    // Everything this batch does is decided here, in one pure function over what the
    // database holds; the steps below only execute the plan (and write it to target/plan.json).
    const tp = performance.now();
    const db = await readDatabaseState(engine, compiled, { chosen, command: opts.mode });
    const plan = planBatch({ compiled, batchId, command: opts.mode, chosen, tests, fullRefresh: opts.fullRefresh ?? false, db });
    writeJsonAtomic(projectPaths(projectDir).plan, plan);
    steps.plan = seconds(tp);
    for (const m of plan.models) if (m.selected) bus.emit({ event: 'plan', model: m.model, relation: m.relation, action: m.action, reason: m.reason });
    if (opts.mode === 'build') {
      const t = performance.now();
      const loaded = await loadSeeds(engine, compiled.project, {
        batchId,
        seeds: plan.seeds,
        onSeed: (s) => bus.emit({ event: 'seed_end', seed: s.seed, relation: s.relation, rows: s.rows, status: s.status, duration_s: Math.round(s.durationMs) / 1000 }),
      });
      createdSchemas.push(...loaded.schemas);
      steps.seed = seconds(t);
    }

    const t = performance.now();
    const reused = plan.models.filter((m) => m.selected && m.action === 'reuse').length;
    const notRerun = plan.tests.filter((x) => x.action === 'skip').length;
    if (reused > 0) bus.emit({ event: 'reuse', reused, models: chosen.size, from: plan.fromBatch ?? '', tests_not_rerun: notRerun });
    if (lakeLayers > 0) {
      const building = new Set(plan.models.filter((m) => m.selected && m.statements.length > 0).map((m) => m.model));
      lake = startBuildExport(session, compiled.project, batchId, publishedMapping(plan), building);
    }
    const result = await executeBatch({ engine, compiled, plan, tests, threads, bus, ...(opts.failFast ? { failFast: true } : {}), onModelDone: (m) => lake?.tableDone(m) });
    createdSchemas.push(...result.schemas);
    steps.run = seconds(t);
    summary.models = result.models;
    summary.tests = result.tests;

    if (!result.ok) {
      const failedModels = result.models.filter((m) => m.status === 'error').map((m) => m.model);
      const failedTests = result.tests.filter((x) => x.status === 'fail' || x.status === 'error').map((x) => x.test);
      const reason = [
        failedModels.length ? `model${failedModels.length > 1 ? 's' : ''} ${failedModels.join(', ')} failed` : '',
        failedTests.length ? `test${failedTests.length > 1 ? 's' : ''} ${failedTests.join(', ')} failed` : '',
      ].filter(Boolean).join('; ') || 'a step failed';
      summary.error = reason;
      await lake?.abandon();
      await discardBatch(session, batchId, createdSchemas, reason);
      bus.emit({ event: 'not_published', reason });
    } else {
      await saveFingerprints(engine, plan, tests, result.tests);
      const tp = performance.now();
      await publishBatch(engine, batchId, result.mapping, (tx) => lock.assertHeld(tx));
      steps.publish = seconds(tp);
      summary.published = true;
      const layers = [...new Set([...result.mapping.values()].map((r) => r.publishedSchema))];
      bus.emit({ event: 'publish', layers, models: result.mapping.size, duration_s: steps.publish });
      const tx = performance.now();
      await expireOldBatches(engine, compiled.project.config.keepBatches);
      steps.expire = seconds(tx);
      const tg = performance.now();
      await grantsInSession(session, compiled.project);
      steps.grants = seconds(tg);
      summary.status = 'success';
      if (lake) {
        // The tables finished early are in the lake already: this waits for the rest.
        const te = performance.now();
        try {
          await lake.published();
        } catch (err) {
          // The database batch stands; the lake can be written again with `strata export`.
          summary.status = 'failed';
          summary.error = `batch ${batchId} is published, but its lake export failed: ${maskSecrets(errorMessage(err))}; run \`strata export\``;
          bus.emit({ event: 'error', message: summary.error });
        }
        steps.export = seconds(te);
      }
    }
  } catch (err) {
    summary.error = maskSecrets(errorMessage(err));
    bus.emit({ event: 'error', message: summary.error });
    // Nothing half-written stays in the lake (a published batch is exported again by `strata export`).
    await lake?.abandon();
    if (session && !summary.published) {
      if (batchStarted) {
        await finishBatch(session.engine, batchId, 'failed', summary.error).catch(() => undefined);
        // The ledger of claimed schemas covers the seeds' schemas too.
        await dropSchemasOfBatch(session.engine, batchId).catch(() => undefined);
      }
      bus.emit({ event: 'not_published', reason: summary.error.split('\n')[0]! });
    }
    if (!session) {
      await finalize();
      throw err;
    }
  } finally {
    if (session) {
      await recordRun(session.engine, {
        status: summary.status,
        modelsFailed: summary.models.filter((m) => m.status === 'error').length,
        testsFailed: summary.tests.filter((x) => x.status === 'fail' || x.status === 'error').length,
        durationSeconds: seconds(started),
      }).catch(() => undefined);
    }
    await release?.().catch(() => undefined);
    await session?.close().catch(() => undefined);
  }
  await finalize();
  return { summary, exitCode: summary.status === 'success' ? ExitCode.ok : ExitCode.failed };

  /**
   * The chosen models' unit tests on `engine`; one that passed with the same fingerprint is
   * not run again. False when one failed: the build stops there, finalized.
   */
  async function unitTestStep(engine: Engine): Promise<boolean> {
    const tu = performance.now();
    const unitTests = compiled.project.unitTests.filter((u) => chosen.has(u.model)).map((u) => ({ name: u.name, fingerprint: unitTestFingerprint(compiled, u) }));
    const run = new Set(unitTestsToRun(unitTests, readPassedUnitTests(projectDir)).map((u) => u.name));
    const units = await runProjectUnitTests(compileResult, chosen, bus, engine, (u) => run.has(u.name));
    if (units.length > 0) steps.unit_tests = seconds(tu);
    const failed = units.filter((u) => u.status !== 'pass').map((u) => u.name);
    recordPassedUnitTests(projectDir, unitTests.filter((u) => run.has(u.name) && !failed.includes(u.name)));
    if (failed.length === 0) return true;
    summary.error = `unit test${failed.length > 1 ? 's' : ''} ${failed.join(', ')} failed`;
    bus.emit({ event: 'not_published', reason: summary.error });
    await finalize();
    return false;
  }

  async function finalize(): Promise<void> {
    summary.durationS = seconds(started);
    summary.finishedAt = new Date().toISOString();
    const paths = projectPaths(projectDir);
    writeJsonAtomic(paths.runResults, runResultsArtifact(summary));
    writeJsonAtomic(paths.lastRunMetrics, lastRunMetricsArtifact(summary));
    const count = (xs: { status: string }[], s: string): number => xs.filter((x) => x.status === s).length;
    bus.emit({
      event: 'run_end',
      status: summary.status,
      published: summary.published,
      duration_s: summary.durationS,
      steps: { ...summary.steps },
      summary: {
        models_ok: count(summary.models, 'success'),
        models_error: count(summary.models, 'error'),
        models_skipped: count(summary.models, 'skipped'),
        tests_total: summary.tests.length,
        tests_pass: count(summary.tests, 'pass'),
        tests_fail: count(summary.tests, 'fail') + count(summary.tests, 'error'),
        tests_warn: count(summary.tests, 'warn'),
      },
    });
    await bus.close();
  }
}

/**
 * Sources are only ever written by an explicit sample load: `--seed-from DIR` (refused
 * unless the source tables are empty), or the embedded quick start, which loads the
 * project's sample when its source tables are all empty and leaves any data alone.
 */
async function sampleStep(session: Session, project: Project, seedFrom?: string): Promise<void> {
  const quickStart = seedFrom === undefined && session.target.kind === 'pglite' && (await sampleSourcesEmpty(session.engine, project));
  if (seedFrom === undefined && !quickStart) return;
  try {
    for (const t of await loadSample(session.engine, project, seedFrom)) {
      session.bus.emit({ event: 'seed_end', seed: t.relation, relation: t.relation, rows: t.rows, status: 'loaded', duration_s: 0 });
    }
  } catch (err) {
    if (err instanceof SampleRefused) throw new StrataError(err.message, ExitCode.failed);
    throw err;
  }
}

/** Compiles and chooses what a batch builds and tests (shared by build and its dry run). */
export async function prepareBatch(opts: BuildOptions, batchId: string): Promise<{ compileResult: CompileResult; chosen: Set<string>; tests: CompiledTest[] }> {
  const compileResult = await loadAndCompile({ ...opts, batchId });
  const { compiled, tests: allTests } = compileResult;
  const chosen = chooseModels(compiled, opts);
  // A view reads its refs' relations of the batch it was built in: rebuild it with them.
  if (opts.select?.length) {
    for (const name of [...chosen]) {
      for (const d of compiled.dag.downstream(name)) if (compiled.models.get(d)?.config.materialized === 'view') chosen.add(d);
    }
  }
  const tests = opts.mode === 'build' ? testsFor(allTests, chosen) : [];

  return { compileResult, chosen, tests };
}

/** Removes a failed batch's schemas, each only after checking that no other batch uses it. */
async function discardBatch(session: Session, batchId: string, schemas: string[], reason: string): Promise<void> {
  for (const s of schemas) {
    const kept = await dropBatchSchema(session.engine, s, batchId);
    if (kept) session.bus.emit({ event: 'warning', message: kept });
  }
  await finishBatch(session.engine, batchId, 'failed', reason);
}
