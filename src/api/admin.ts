import type { CommonOptions } from './context.ts';
import { withProjectSession } from './session.ts';
import { openMigrationEngine } from './target.ts';
import { acquireBuildLock } from '../batch/lock.ts';
import { rollbackBatch, type RollbackResult } from '../batch/publish.ts';
import { listBatches, type BatchInfo } from '../batch/state.ts';
import { reapDeadBatches, type ReapedBatch } from '../batch/reap.ts';
import { runMigrations, type MigrateResult } from '../migrations/migrate.ts';
import { loadSeeds, type SeedResult } from '../seeds/load.ts';
import { grantsInSession } from './grants.ts';
import { ExitCode, StrataError } from '../core/errors.ts';
import { loadSample, SampleRefused, type SampleTable } from '../sources/sample.ts';
import { activateLake, planLakeActivation } from './lake.ts';
import type { RollbackResult as LakeRollbackResult } from '../lake/index.ts';

export async function migrate(opts: CommonOptions): Promise<MigrateResult> {
  return withProjectSession(opts, async (s, project) => {
    const migrator = await openMigrationEngine(s.target, s.engine);
    try {
      const t = performance.now();
      const result = await runMigrations(migrator.engine, project.migrationsDir);
      s.bus.emit({ event: 'migrate_end', applied: result.applied, duration_s: Math.round(performance.now() - t) / 1000 });
      return result;
    } finally {
      await migrator.close();
    }
  });
}

/** Loads sample data into the (empty) source tables: the project's `sample` folders, or `from`. */
export async function seedSample(opts: CommonOptions & { from?: string }): Promise<SampleTable[]> {
  return withProjectSession(opts, async (s, project) => {
    const migrator = await openMigrationEngine(s.target, s.engine);
    try {
      await runMigrations(migrator.engine, project.migrationsDir);
    } finally {
      await migrator.close();
    }
    try {
      return await loadSample(s.engine, project, opts.from);
    } catch (err) {
      if (err instanceof SampleRefused) throw new StrataError(err.message, ExitCode.failed);
      throw err;
    }
  });
}

export async function seed(opts: CommonOptions): Promise<SeedResult[]> {
  return withProjectSession(opts, async (s, project) => {
    const migrator = await openMigrationEngine(s.target, s.engine);
    try {
      await runMigrations(migrator.engine, project.migrationsDir);
    } finally {
      await migrator.close();
    }
    return loadSeeds(s.engine, project, {
      onSeed: (r) => s.bus.emit({ event: 'seed_end', seed: r.seed, relation: r.relation, rows: r.rows, status: r.status, duration_s: Math.round(r.durationMs) / 1000 }),
    });
  });
}

/**
 * Puts the previously published batch back, under the build lock, in the database and in
 * the lake together: when the lake lacks that batch, nothing changes and the error says
 * how to write it there first.
 */
export async function rollback(opts: CommonOptions & { to?: string; lockTimeoutMs?: number }): Promise<RollbackResult & { lake: LakeRollbackResult[] }> {
  return withProjectSession(opts, async (s, project) => {
    const lock = await acquireBuildLock(s.engine, { batchId: 'rollback', command: 'strata rollback', timeoutMs: opts.lockTimeoutMs ?? 60_000 });
    try {
      let lake: LakeRollbackResult[] = [];
      const result = await rollbackBatch(s.engine, opts.to, async (to) => {
        lake = await planLakeActivation(project, to);
      });
      await activateLake(project, lake);
      s.bus.batchId = result.to;
      s.bus.emit({ event: 'rollback', from: result.from, to: result.to });
      await grantsInSession(s, project);
      return { ...result, lake };
    } finally {
      await lock.release();
    }
  });
}

export async function batches(opts: CommonOptions): Promise<BatchInfo[]> {
  return withProjectSession(opts, (s) => listBatches(s.engine));
}

/**
 * `clean`: what every build does first, on its own — batches whose build died are marked
 * failed and their schemas dropped (never one a published batch uses). Under the build
 * lock, so a live build is never touched.
 */
export async function cleanDeadBatches(opts: CommonOptions & { lockTimeoutMs?: number }): Promise<ReapedBatch[]> {
  return withProjectSession(opts, async (s, project) => {
    const lock = await acquireBuildLock(s.engine, { batchId: 'clean', command: 'strata clean', timeoutMs: opts.lockTimeoutMs ?? 60_000 });
    try {
      const reaped = await reapDeadBatches(s.engine, project.config.layers.map((l) => l.schema), { by: 'strata clean' });
      for (const r of reaped) s.bus.emit({ event: 'warning', message: `batch ${r.batchId} was left running by a build that died: marked failed, dropped ${r.dropped.join(', ') || 'no schemas'}` });
      return reaped;
    } finally {
      await lock.release();
    }
  });
}
