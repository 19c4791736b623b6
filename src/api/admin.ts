import type { CommonOptions } from './context.ts';
import { withProjectSession, type Session } from './session.ts';
import { openMigrationEngine } from './target.ts';
import { acquireBuildLock } from '../batch/lock.ts';
import { expireOldBatches, publishBatch, rollbackBatch, type RollbackResult } from '../batch/publish.ts';
import { newBatchId } from '../batch/naming.ts';
import { batchRelations, currentBatchId, finishBatch, listBatches, startBatch, type BatchInfo, type BatchRelation } from '../batch/state.ts';
import { reapDeadBatches, type ReapedBatch } from '../batch/reap.ts';
import { runMigrations, type MigrateResult } from '../migrations/migrate.ts';
import type { Project } from '../project/types.ts';
import { loadSeeds, SEED_LAYER, SeedError, seedChecksums, seedFiles, type SeedResult } from '../seeds/load.ts';
import { planSeeds } from '../plan/plan.ts';
import type { SeedPlan } from '../plan/types.ts';
import { grantsInSession } from './grants.ts';
import { ExitCode, StrataError, errorMessage } from '../core/errors.ts';
import { loadSample, SampleRefused, type SampleTable } from '../sources/sample.ts';
import { activateLake, clearLeftovers, lakeDirOf, planLakeActivation } from './lake.ts';
import type { RollbackResult as LakeRollbackResult } from '../lake/index.ts';

/**
 * Applies the project's migrations over the session's migration connection (the direct URL
 * when there is one); sources that exist already where none ever ran are left as they are.
 */
export async function migrateSession(s: Session, project: Project): Promise<MigrateResult> {
  const migrator = await openMigrationEngine(s.target, s.engine);
  try {
    return await runMigrations(migrator.engine, project.migrationsDir, project.config.sources);
  } finally {
    await migrator.close();
  }
}

export async function migrate(opts: CommonOptions): Promise<MigrateResult> {
  return withProjectSession(opts, async (s, project) => {
    const t = performance.now();
    const result = await migrateSession(s, project);
    s.bus.emit({ event: 'migrate_end', applied: result.applied, adopted: result.adopted, duration_s: Math.round(performance.now() - t) / 1000 });
    return result;
  });
}

/** Loads sample data into the (empty) source tables: the project's `sample` folders, or `from`. */
export async function seedSample(opts: CommonOptions & { from?: string }): Promise<SampleTable[]> {
  return withProjectSession(opts, async (s, project) => {
    await migrateSession(s, project);
    try {
      return await loadSample(s.engine, project, opts.from);
    } catch (err) {
      if (err instanceof SampleRefused) throw new StrataError(err.message, ExitCode.failed);
      throw err;
    }
  });
}

/**
 * Loads the changed seeds (every seed with `fullRefresh`) into a new batch and publishes it
 * with the published models carried over; when no seed changed, no batch is made. A bad
 * file publishes nothing and leaves no schema behind.
 */
export async function seed(opts: CommonOptions & { fullRefresh?: boolean; lockTimeoutMs?: number }): Promise<SeedResult[]> {
  return withProjectSession(opts, async (s, project) => {
    await migrateSession(s, project);
    const batchId = newBatchId();
    const lock = await acquireBuildLock(s.engine, { batchId, command: 'strata seed', timeoutMs: opts.lockTimeoutMs ?? 60_000 });
    try {
      await startBatch(s.engine, batchId, 'seed');
      const currentId = await currentBatchId(s.engine);
      const current = currentId ? await batchRelations(s.engine, currentId) : new Map<string, BatchRelation>();
      let loaded;
      let seeds: SeedPlan[] = [];
      try {
        const db = { publishedBatch: currentId, relations: current, seedChecksums: await seedChecksums(s.engine, project) };
        seeds = planSeeds({ seeds: seedFiles(project), batchId, command: 'build', fullRefresh: opts.fullRefresh ?? false, db });
        loaded = await loadSeeds(s.engine, project, {
          batchId,
          seeds,
          onSeed: (r) => s.bus.emit({ event: 'seed_end', seed: r.seed, relation: r.relation, rows: r.rows, status: r.status, duration_s: Math.round(r.durationMs) / 1000 }),
        });
      } catch (err) {
        await finishBatch(s.engine, batchId, 'failed', errorMessage(err));
        throw err instanceof SeedError ? new StrataError(err.message, ExitCode.failed) : err;
      }
      if (loaded.results.every((r) => r.status === 'unchanged')) {
        await s.engine.query('delete from strata.batches where batch_id = $1', [batchId]);
        return loaded.results;
      }
      const mapping = new Map([...current].filter(([, r]) => r.layer !== SEED_LAYER));
      for (const { seed, publishes } of seeds) mapping.set(seed, publishes);
      s.bus.batchId = batchId;
      await publishBatch(s.engine, batchId, mapping);
      s.bus.emit({ event: 'publish', layers: [...new Set(seeds.map((x) => x.publishes.publishedSchema))], models: mapping.size, duration_s: 0 });
      await expireOldBatches(s.engine, project.config.keepBatches);
      await grantsInSession(s, project);
      return loaded.results;
    } finally {
      await lock.release();
    }
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
 * failed and their schemas dropped (never one a published batch uses), and what interrupted
 * exports left in the lake is removed. Under the build lock, so a live build is never touched.
 */
export async function cleanDeadBatches(opts: CommonOptions & { lockTimeoutMs?: number }): Promise<ReapedBatch[]> {
  return withProjectSession(opts, async (s, project) => {
    const lock = await acquireBuildLock(s.engine, { batchId: 'clean', command: 'strata clean', timeoutMs: opts.lockTimeoutMs ?? 60_000 });
    try {
      const reaped = await reapDeadBatches(s.engine, { by: 'strata clean' });
      for (const r of reaped) s.bus.emit({ event: 'warning', message: `batch ${r.batchId} was left running by a build that died: marked failed, dropped ${r.dropped.join(', ') || 'no schemas'}` });
      for (const layer of project.config.lake.layers) await clearLeftovers(s, lakeDirOf(project), layer);
      return reaped;
    } finally {
      await lock.release();
    }
  });
}
