import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExitCode, StrataError } from '../core/errors.ts';
import { qualify, quoteIdent } from '../engine/quote.ts';
import { acquireBuildLock } from '../batch/lock.ts';
import { physicalSchema } from '../batch/naming.ts';
import { publishBatch, rollbackBatch } from '../batch/publish.ts';
import { batchRelations, currentBatchId, type BatchRelation } from '../batch/state.ts';
import { exportBatch, listBatches, pruneBatches, restoreBatch, rollbackLake, verifyBatch, cleanIncompleteBatches } from '../lake/index.ts';
import type { BatchInfo, ExportBatchResult, PruneResult, RestoreResult, RollbackResult, VerifyResult } from '../lake/index.ts';
import { removeDirDurably } from '../lake/atomic-fs.ts';
import { batchDir } from '../lake/layout.ts';
import { readActive } from '../lake/active.ts';
import { loadProject } from '../project/load.ts';
import type { Project } from '../project/types.ts';
import type { CommonOptions } from './context.ts';
import { grantsInSession } from './grants.ts';
import { withProjectSession, type Session } from './session.ts';

export interface ExportOptions {
  /** A batch still kept in the database (default: the published one). */
  batchId?: string;
  layers?: string[];
  /** Model names to export (default: every model of the layer). */
  select?: string[];
  /** Re-export a batch that is already in the lake (e.g. a damaged one). */
  replace?: boolean;
}

export const lakeDirOf = (project: Project): string => resolve(project.dir, project.config.lake.path);

/**
 * Exports a published batch's layers to the lake, from the batch's own physical tables
 * (so a publish happening meanwhile changes nothing). `active` moves to it only when it
 * is the batch the database publishes.
 */
export async function exportLayers(session: Session, project: Project, opts: ExportOptions = {}): Promise<ExportBatchResult[]> {
  const { engine, bus } = session;
  const current = await currentBatchId(engine);
  const batchId = opts.batchId ?? current;
  if (!batchId) throw new StrataError('nothing is published yet: run `strata build` first', ExitCode.failed);
  const mapping = await batchRelations(engine, batchId);
  if (mapping.size === 0) {
    throw new StrataError(`batch ${batchId} is not kept in the database (only the last keep_batches published batches are)`, ExitCode.failed);
  }
  const layers = opts.layers?.length ? opts.layers : project.config.lake.layers;
  for (const l of layers) {
    if (!project.config.layers.some((x) => x.name === l)) throw new StrataError(`--layers: unknown layer ${l}`, ExitCode.usage);
  }
  const lakeDir = lakeDirOf(project);
  const results: ExportBatchResult[] = [];
  for (const layer of layers) {
    const tables = [...mapping.values()]
      .filter((r) => r.layer === layer && (!opts.select?.length || opts.select.includes(r.model)))
      .sort((a, b) => a.model.localeCompare(b.model))
      .map((r) => ({ name: r.model, relation: qualify(r.physicalSchema, r.model), modelChecksum: r.checksum }));
    if (tables.length === 0) continue;
    const cleaned = await cleanIncompleteBatches(lakeDir, layer);
    for (const gone of cleaned.removed) bus.emit({ event: 'warning', message: `removed a leftover of an interrupted export: ${gone.path} (${gone.reason})` });
    for (const left of cleaned.skipped) bus.emit({ event: 'warning', message: `left alone: ${left.path} (${left.reason})` });
    if (existsSync(batchDir(lakeDir, layer, batchId))) {
      if (opts.replace) await setAside(lakeDir, layer, batchId);
      else if ((await listBatches(lakeDir, layer)).some((b) => b.id === batchId && b.complete)) {
        bus.emit({ event: 'warning', message: `${layer} batch ${batchId} is already in the lake (use --replace to write it again)` });
        continue;
      }
    }
    const t = performance.now();
    const result = await exportBatch({
      engine, lakeDir, layer, batchId, tables, activate: batchId === current,
      modelChecksums: Object.fromEntries([...mapping.values()].map((r) => [r.model, r.checksum])),
    });
    const rows = result.manifest.tables.reduce((n, x) => n + x.rows, 0);
    const bytes = result.manifest.tables.reduce((n, x) => n + x.bytes, 0);
    bus.emit({ event: 'export_end', layer, tables: tables.length, rows, bytes, duration_s: Math.round(performance.now() - t) / 1000, path: result.dir });
    results.push(result);
  }
  return results;
}

/**
 * Removes a lake batch so it can be written again. When it is the active one, `active`
 * first moves to the batch before it, so at no moment does it name a missing batch.
 */
async function setAside(lakeDir: string, layer: string, batchId: string): Promise<void> {
  if ((await readActive(lakeDir, layer)) === batchId) await rollbackLake(lakeDir, layer).catch(() => undefined);
  if ((await readActive(lakeDir, layer)) === batchId) {
    throw new StrataError(`batch ${batchId} is the only complete ${layer} batch and active; export a new batch instead of replacing it`);
  }
  await removeDirDurably(batchDir(lakeDir, layer, batchId));
}

export function exportCommand(opts: CommonOptions & ExportOptions): Promise<ExportBatchResult[]> {
  return withProjectSession(opts, (s, project) => exportLayers(s, project, opts));
}

function lakeLayers(project: Project, layer?: string): string[] {
  if (layer && !project.config.layers.some((l) => l.name === layer)) throw new StrataError(`--layer: unknown layer ${layer}`, ExitCode.usage);
  return layer ? [layer] : project.config.lake.layers;
}

export async function lakeList(opts: CommonOptions & { layer?: string }): Promise<{ layer: string; batches: BatchInfo[] }[]> {
  const project = loadProject(opts.projectDir);
  const lakeDir = lakeDirOf(project);
  return Promise.all(lakeLayers(project, opts.layer).map(async (layer) => ({ layer, batches: await listBatches(lakeDir, layer) })));
}

export async function lakeVerify(opts: CommonOptions & { layer?: string; batchId?: string }): Promise<VerifyResult[]> {
  const project = loadProject(opts.projectDir);
  return Promise.all(lakeLayers(project, opts.layer).map((layer) => verifyBatch(lakeDirOf(project), layer, opts.batchId)));
}

export async function lakePrune(opts: CommonOptions & { layer?: string; dryRun?: boolean }): Promise<{ layer: string; result: PruneResult }[]> {
  const project = loadProject(opts.projectDir);
  const out: { layer: string; result: PruneResult }[] = [];
  for (const layer of lakeLayers(project, opts.layer)) {
    out.push({ layer, result: await pruneBatches(lakeDirOf(project), layer, project.config.lake.retentionDays, { dryRun: opts.dryRun ?? false }) });
  }
  return out;
}

/**
 * Points `active` at an earlier batch; with `db`, the database publishes that batch again
 * too (instantly when its schemas are still kept, else restored from the lake).
 */
export async function lakeRollback(opts: CommonOptions & { to?: string; db?: boolean; layer?: string }): Promise<RollbackResult[]> {
  const project = loadProject(opts.projectDir);
  const results = [];
  for (const layer of lakeLayers(project, opts.layer)) results.push(await rollbackLake(lakeDirOf(project), layer, opts.to));
  const to = results[0]?.to;
  if (opts.db && to) {
    await withProjectSession(opts, async (s) => {
      const lock = await acquireBuildLock(s.engine, { batchId: to, command: 'strata lake rollback', timeoutMs: 60_000 });
      try {
        const kept = (await batchRelations(s.engine, to)).size > 0;
        if (kept && (await currentBatchId(s.engine)) !== to) {
          const r = await rollbackBatch(s.engine, to);
          s.bus.emit({ event: 'rollback', from: r.from, to: r.to });
        } else if (!kept) {
          await restoreIntoDatabase(s, project, to);
        }
        await grantsInSession(s, project);
      } finally {
        await lock.release();
      }
    });
  }
  return results;
}

/**
 * The recovery path when the database is lost: loads a lake batch into fresh physical
 * schemas and publishes it, so the layers read exactly the batch's rows again.
 */
export async function lakeRestore(opts: CommonOptions & { batchId?: string }): Promise<RestoreResult[]> {
  return withProjectSession(opts, async (s, project) => {
    const lock = await acquireBuildLock(s.engine, { batchId: opts.batchId ?? 'restore', command: 'strata lake restore', timeoutMs: 60_000 });
    try {
      const results = await restoreIntoDatabase(s, project, opts.batchId);
      await grantsInSession(s, project);
      return results;
    } finally {
      await lock.release();
    }
  });
}

async function restoreIntoDatabase(s: Session, project: Project, wanted?: string): Promise<RestoreResult[]> {
  const lakeDir = lakeDirOf(project);
  const layers = project.config.lake.layers;
  const batchId = wanted ?? (await readActive(lakeDir, layers[0]!));
  if (!batchId) throw new StrataError(`no batch id given and no active batch in ${lakeDir}`, ExitCode.usage);
  // A restored batch is a new batch in the database: ids are never reused.
  const { rows } = await s.engine.query('select 1 from strata.batches where batch_id = $1', [batchId]);
  const dbBatchId = rows.length ? `${batchId}.restored-${Date.now().toString(36)}` : batchId;
  await s.engine.query(`insert into strata.batches (batch_id, command, status) values ($1, 'restore', 'running')`, [dbBatchId]);
  const current = await currentBatchId(s.engine);
  const mapping = new Map<string, BatchRelation>(current ? await batchRelations(s.engine, current) : []);
  const results: RestoreResult[] = [];
  for (const layer of layers) {
    const schema = project.config.layers.find((l) => l.name === layer)!.schema;
    const physical = physicalSchema(schema, dbBatchId);
    await s.engine.query(`create schema if not exists ${quoteIdent(physical)}`);
    const result = await restoreBatch({ engine: s.engine, lakeDir, layer, batchId, targetSchema: physical });
    for (const t of result.tables) {
      mapping.set(t.name, { model: t.name, layer, publishedSchema: schema, physicalSchema: physical, kind: 'table', checksum: 'restored' });
    }
    results.push(result);
  }
  await publishBatch(s.engine, dbBatchId, mapping);
  s.bus.emit({ event: 'publish', layers: layers.map((l) => project.config.layers.find((x) => x.name === l)!.schema), models: mapping.size, duration_s: 0 });
  return results;
}

