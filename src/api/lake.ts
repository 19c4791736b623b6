import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExitCode, StrataError, errorMessage } from '../core/errors.ts';
import { qualify } from '../engine/quote.ts';
import { acquireBuildLock } from '../batch/lock.ts';
import { physicalSchema } from '../batch/naming.ts';
import { publishBatch, rollbackBatch } from '../batch/publish.ts';
import { batchRelations, currentBatchId, finishBatch, type BatchRelation } from '../batch/state.ts';
import { dropSchemasOfBatch } from '../batch/reap.ts';
import { claimSchemas } from '../batch/schemas.ts';
import { exportBatch, listBatches, pruneBatches, restoreBatch, rollbackLake, planLakeRollback, verifyBatch, cleanIncompleteBatches } from '../lake/index.ts';
import type { BatchInfo, ExportBatchOptions, ExportBatchResult, ExportTableSpec, PruneResult, RestoreResult, RollbackResult, VerifyResult } from '../lake/index.ts';
import { removeDirDurably } from '../lake/atomic-fs.ts';
import { batchDir, lakeIdOf, restoredBatchId } from '../lake/layout.ts';
import { readActive, writeActive } from '../lake/active.ts';
import { pickReusedFiles, type LakeCandidate } from '../lake/reuse-files.ts';
import { loadProject } from '../project/load.ts';
import type { Project } from '../project/types.ts';
import type { CommonOptions } from './context.ts';
import { grantsInSession } from './grants.ts';
import { withProjectSession, type Session } from './session.ts';
import { byCodeUnits } from '../core/order.ts';

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
  const { engine } = session;
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
  // A restored database batch is the lake batch it came from: written back under that id.
  const lakeId = lakeIdOf(batchId);
  const results: ExportBatchResult[] = [];
  for (const layer of layers) {
    const tables = layerTables(mapping, layer, opts.select);
    if (tables.length === 0) continue;
    await clearLeftovers(session, lakeDir, layer);
    if (existsSync(batchDir(lakeDir, layer, lakeId))) {
      if (opts.replace) await setAside(lakeDir, layer, lakeId);
      else if (await completeInLake(lakeDir, layer, lakeId)) {
        await keepExported(session, lakeDir, layer, lakeId, batchId === current);
        continue;
      }
    }
    results.push(await exportLayer(session, lakeDir, layer, tables, { batchId: lakeId, activate: batchId === current, modelChecksums: checksumsOf(mapping) }));
  }
  return results;
}

/** A layer's tables in a batch's mapping, as the lake names them, by model name. */
function layerTables(mapping: ReadonlyMap<string, BatchRelation>, layer: string, select?: readonly string[]): ExportTableSpec[] {
  return [...mapping.values()]
    .filter((r) => r.layer === layer && (!select?.length || select.includes(r.model)))
    .sort((a, b) => byCodeUnits(a.model, b.model))
    .map((r) => ({ name: r.model, relation: qualify(r.physicalSchema, r.model), modelChecksum: r.checksum }));
}

const checksumsOf = (mapping: ReadonlyMap<string, BatchRelation>): Record<string, string> => Object.fromEntries([...mapping.values()].map((r) => [r.model, r.checksum]));

const completeInLake = async (lakeDir: string, layer: string, lakeId: string): Promise<boolean> =>
  (await listBatches(lakeDir, layer)).some((b) => b.id === lakeId && b.complete);

/** A batch already complete in the lake is never written again: it is made active when it should be, and said so. */
async function keepExported({ bus }: Session, lakeDir: string, layer: string, lakeId: string, activate: boolean): Promise<void> {
  if (activate && (await readActive(lakeDir, layer)) !== lakeId) await writeActive(lakeDir, layer, lakeId);
  bus.emit({ event: 'warning', message: `${layer} batch ${lakeId} is already in the lake (use --replace to write it again)` });
}

/** Removes what interrupted exports left in a layer (a live writer's batch is left alone). */
export async function clearLeftovers({ bus }: Session, lakeDir: string, layer: string): Promise<void> {
  const cleaned = await cleanIncompleteBatches(lakeDir, layer);
  for (const gone of cleaned.removed) bus.emit({ event: 'warning', message: `removed a leftover of an interrupted export: ${gone.path} (${gone.reason})` });
  for (const left of cleaned.skipped) bus.emit({ event: 'warning', message: `left alone: ${left.path} (${left.reason})` });
}

/** One layer of a batch into the lake: files of unchanged relations taken over from an earlier batch, the rest written. */
async function exportLayer(
  session: Session,
  lakeDir: string,
  layer: string,
  tables: ExportTableSpec[],
  opts: Pick<ExportBatchOptions, 'batchId' | 'activate' | 'modelChecksums' | 'commitAfter' | 'parallelTables' | 'background'>,
): Promise<ExportBatchResult> {
  const { engine, bus } = session;
  const reused = pickReusedFiles(tables, await lakeCandidates(engine, lakeDir, layer));
  // From its first table begun to its last written: a build's export waits for tables
  // that do not exist yet, and for the publish, neither of which is the export's time.
  let first = Infinity;
  let last = -Infinity;
  const result = await exportBatch({
    ...opts,
    engine,
    lakeDir,
    layer,
    tables: tables.map((x) => (reused.has(x.name) ? { ...x, reuse: reused.get(x.name)! } : x)),
    onTable: (done) => {
      last = performance.now();
      first = Math.min(first, last - done.durationMs);
    },
  });
  const rows = result.manifest.tables.reduce((n, x) => n + x.rows, 0);
  const bytes = result.manifest.tables.reduce((n, x) => n + x.bytes, 0);
  bus.emit({ event: 'export_end', layer, tables: tables.length, reused: reused.size, rows, bytes, duration_s: Math.round(last - first) / 1000, path: result.dir });
  return result;
}

/** What a build tells its lake export while the batch runs. */
export interface BuildExport {
  /** The model's table is final (built, or not rebuilt by this batch): it may be read. */
  tableDone(model: string): void;
  /** The batch is published: the rest is written, then each layer's manifest, then `active`. */
  published(): Promise<ExportBatchResult[]>;
  /** The batch will not be published: what was written is removed, `active` untouched. */
  abandon(): Promise<void>;
}

interface Gate {
  promise: Promise<void>;
  open(): void;
  fail(err: Error): void;
}

function gate(): Gate {
  let open!: () => void;
  let fail!: (err: Error) => void;
  const promise = new Promise<void>((resolve, reject) => ((open = resolve), (fail = reject)));
  // Handled here: a gate failed after its reader gave up must not crash the process.
  promise.catch(() => undefined);
  return { promise, open, fail };
}

/**
 * The build's lake export. On a server it starts before the models run: each table is read
 * as soon as its model is done, beside the models still running (one table per layer at a
 * time, decoded and encoded at the lowest CPU priority: the models keep their connections
 * and the CPU they need), and what is left when the batch is published is the tables
 * finished last. The embedded engine runs one statement
 * at a time, so there it all waits for the publish, as `strata export` does.
 */
export function startBuildExport(session: Session, project: Project, batchId: string, mapping: ReadonlyMap<string, BatchRelation>, building: ReadonlySet<string>): BuildExport {
  const layers = project.config.lake.layers;
  if (session.engine.maxConcurrency < 2) {
    return { tableDone: () => undefined, published: () => exportLayers(session, project), abandon: async () => undefined };
  }
  const lakeDir = lakeDirOf(project);
  const publish = gate();
  const gates = new Map<string, Gate>();
  const ready = (model: string): Promise<void> => {
    if (!building.has(model)) return Promise.resolve();
    if (!gates.has(model)) gates.set(model, gate());
    return gates.get(model)!.promise;
  };
  const modelChecksums = checksumsOf(mapping);
  // Every layer settles before the build goes on: none is left writing after a failure.
  const settled = Promise.allSettled(
    layers.flatMap((layer) => {
      const tables = layerTables(mapping, layer).map((t) => ({ ...t, ready: ready(t.name) }));
      if (tables.length === 0) return [];
      const lakeId = lakeIdOf(batchId);
      const options = { batchId: lakeId, activate: true, modelChecksums, commitAfter: publish.promise, parallelTables: 1, background: true };
      return [
        (async (): Promise<ExportBatchResult | null> => {
          await clearLeftovers(session, lakeDir, layer);
          // A batch id given again (`--batch-id`) whose lake batch is complete: kept as it is.
          if (!(await completeInLake(lakeDir, layer, lakeId))) return exportLayer(session, lakeDir, layer, tables, options);
          await publish.promise;
          await keepExported(session, lakeDir, layer, lakeId, true);
          return null;
        })(),
      ];
    }),
  );
  const running = settled.then((all) => {
    const failed = all.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return all.flatMap((r) => ((r as PromiseFulfilledResult<ExportBatchResult | null>).value ?? []));
  });
  running.catch(() => undefined);
  return {
    tableDone: (model) => gates.get(model)?.open(),
    published: () => {
      publish.open();
      return running;
    },
    abandon: async () => {
      const why = new Error(`batch ${batchId} was not published`);
      publish.fail(why);
      for (const g of gates.values()) g.fail(why);
      await running.catch(() => undefined);
    },
  };
}

/** The complete lake batches of a layer, newest first, with the relations the database says each had. */
async function lakeCandidates(engine: Session['engine'], lakeDir: string, layer: string): Promise<LakeCandidate[]> {
  const complete = (await listBatches(lakeDir, layer)).filter((b) => b.complete && b.manifest).reverse();
  if (complete.length === 0) return [];
  const { rows } = await engine.query<{ batch_id: string; model: string; physical_schema: string }>(
    'select batch_id, model, physical_schema from strata.batch_relations where batch_id = any($1::text[])',
    [complete.map((b) => b.id)],
  );
  return complete.map((b) => ({
    batchId: b.id,
    dir: b.dir,
    tables: b.manifest!.tables,
    relations: new Map(rows.filter((r) => r.batch_id === b.id).map((r) => [r.model, qualify(r.physical_schema, r.model)])),
  }));
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

export async function lakePrune(opts: CommonOptions & { layer?: string; dryRun?: boolean; archiveDir?: string }): Promise<{ layer: string; result: PruneResult }[]> {
  const project = loadProject(opts.projectDir);
  const out: { layer: string; result: PruneResult }[] = [];
  for (const layer of lakeLayers(project, opts.layer)) {
    out.push({
      layer,
      result: await pruneBatches(lakeDirOf(project), layer, project.config.lake.retentionDays, {
        dryRun: opts.dryRun ?? false,
        ...(opts.archiveDir ? { archiveDir: resolve(opts.archiveDir) } : {}),
      }),
    });
  }
  return out;
}

/** Lake layers that hold any batch: the ones that must name the database's batch. */
async function trackedLayers(project: Project): Promise<string[]> {
  const lakeDir = lakeDirOf(project);
  const out: string[] = [];
  for (const layer of project.config.lake.layers) if ((await listBatches(lakeDir, layer)).length > 0) out.push(layer);
  return out;
}

/**
 * Checks, changing nothing, that every lake layer in use holds the lake batch of database
 * batch `dbBatchId` complete, and returns how `active` must move. Refuses with the command
 * that makes it possible.
 */
export async function planLakeActivation(project: Project, dbBatchId: string): Promise<RollbackResult[]> {
  const id = lakeIdOf(dbBatchId);
  const plans: RollbackResult[] = [];
  for (const layer of await trackedLayers(project)) {
    try {
      plans.push(await planLakeRollback(lakeDirOf(project), layer, id));
    } catch (err) {
      throw new StrataError(
        `${errorMessage(err)} — nothing was changed: the database and the lake must publish the same batch. ` +
          `Write it to the lake first (\`strata export --batch-id ${dbBatchId} --replace\` while the database keeps it), then try again`,
      );
    }
  }
  return plans;
}

/** Moves `active` as planned (after the database moved). */
export async function activateLake(project: Project, plans: readonly RollbackResult[]): Promise<void> {
  for (const p of plans) if (p.to !== p.from) await writeActive(lakeDirOf(project), p.layer, p.to);
}

/** The kept, published database batch holding lake batch `lakeId` (itself or a restore of it). */
async function keptBatchFor(s: Session, lakeId: string): Promise<string | null> {
  const { rows } = await s.engine.query<{ batch_id: string }>(
    `select b.batch_id from strata.batches b
      where b.status = 'published' and (b.batch_id = $1 or b.batch_id like $1 || '-restore-%' or b.batch_id like $1 || '.restored-%')
        and exists (select 1 from strata.batch_relations r where r.batch_id = b.batch_id)
      order by b.published_at desc limit 1`,
    [lakeId],
  );
  return rows[0]?.batch_id ?? null;
}

/**
 * Publishes an earlier lake batch everywhere: the database publishes it again (instantly
 * when it still keeps its schemas, else restored from the lake) and every lake layer's
 * `active` names it. Everything is checked first; the lake moves only after the database did.
 */
export async function lakeRollback(opts: CommonOptions & { to?: string }): Promise<RollbackResult[]> {
  const project = loadProject(opts.projectDir);
  const layers = await trackedLayers(project);
  if (layers.length === 0) throw new StrataError(`the lake (${lakeDirOf(project)}) holds no batch to roll back to`, ExitCode.failed);
  const to = opts.to ?? (await planLakeRollback(lakeDirOf(project), layers[0]!)).to;
  const plans = await planLakeActivation(project, to);
  await withProjectSession(opts, async (s) => {
    const lock = await acquireBuildLock(s.engine, { batchId: to, command: 'strata lake rollback', timeoutMs: 60_000 });
    try {
      const current = await currentBatchId(s.engine);
      if (current === null || lakeIdOf(current) !== to) {
        const kept = await keptBatchFor(s, to);
        if (kept) {
          const r = await rollbackBatch(s.engine, kept);
          s.bus.emit({ event: 'rollback', from: r.from, to: r.to });
        } else {
          await restoreIntoDatabase(s, project, to);
        }
      }
      await grantsInSession(s, project);
    } finally {
      await lock.release();
    }
  });
  await activateLake(project, plans);
  return plans;
}

/**
 * The recovery path when the database is lost: loads a lake batch into fresh physical
 * schemas and publishes it, so the layers read exactly the batch's rows again, and the
 * lake's `active` names that batch too.
 */
export async function lakeRestore(opts: CommonOptions & { batchId?: string }): Promise<RestoreResult[]> {
  const project = loadProject(opts.projectDir);
  const layers = project.config.lake.layers;
  const batchId = opts.batchId ?? (layers[0] ? await readActive(lakeDirOf(project), layers[0]) : null);
  if (!batchId) throw new StrataError(`no batch id given and no active batch in ${lakeDirOf(project)}`, ExitCode.usage);
  const plans = await planLakeActivation(project, batchId);
  const results = await withProjectSession(opts, async (s) => {
    const lock = await acquireBuildLock(s.engine, { batchId, command: 'strata lake restore', timeoutMs: 60_000 });
    try {
      const restored = await restoreIntoDatabase(s, project, batchId);
      await grantsInSession(s, project);
      return restored;
    } finally {
      await lock.release();
    }
  });
  await activateLake(project, plans);
  return results;
}

async function restoreIntoDatabase(s: Session, project: Project, batchId: string): Promise<RestoreResult[]> {
  const lakeDir = lakeDirOf(project);
  const layers = project.config.lake.layers;
  // Every layer's files are checked before anything is created: a damaged one refuses the whole restore.
  for (const layer of layers) {
    const v = await verifyBatch(lakeDir, layer, batchId);
    if (!v.ok) throw new StrataError(`${layer} batch ${batchId} is damaged (${v.damaged.map((d) => `${d.file}: ${d.reason}`).join('; ')}); refusing to restore from it, nothing was changed`);
  }
  // A restored batch is a new batch in the database: ids are never reused.
  const { rows } = await s.engine.query('select 1 from strata.batches where batch_id = $1', [batchId]);
  const dbBatchId = rows.length ? restoredBatchId(batchId) : batchId;
  await s.engine.query(`insert into strata.batches (batch_id, command, status) values ($1, 'restore', 'running')`, [dbBatchId]);
  const current = await currentBatchId(s.engine);
  const mapping = new Map<string, BatchRelation>(current ? await batchRelations(s.engine, current) : []);
  const results: RestoreResult[] = [];
  const schemaOf = (layer: string): string => project.config.layers.find((l) => l.name === layer)!.schema;
  try {
    await claimSchemas(s.engine, dbBatchId, layers.map((layer) => physicalSchema(schemaOf(layer), dbBatchId)));
    for (const layer of layers) {
      const physical = physicalSchema(schemaOf(layer), dbBatchId);
      const result = await restoreBatch({ engine: s.engine, lakeDir, layer, batchId, targetSchema: physical });
      for (const t of result.tables) {
        mapping.set(t.name, { model: t.name, layer, publishedSchema: schemaOf(layer), physicalSchema: physical, kind: 'table', checksum: 'restored' });
      }
      results.push(result);
    }
    await publishBatch(s.engine, dbBatchId, mapping);
  } catch (err) {
    await finishBatch(s.engine, dbBatchId, 'failed', errorMessage(err)).catch(() => undefined);
    await dropSchemasOfBatch(s.engine, dbBatchId).catch(() => undefined);
    throw err;
  }
  s.bus.batchId = dbBatchId;
  s.bus.emit({ event: 'publish', layers: layers.map(schemaOf), models: mapping.size, duration_s: 0 });
  return results;
}
