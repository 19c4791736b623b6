import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Dag } from '../graph/dag.ts';
import type { Engine, Queryable } from '../engine/engine.ts';
import { qualify, quoteIdent } from '../engine/quote.ts';
import type { Project } from '../project/types.ts';
import { readCsvHeader } from './header.ts';
import { castExpr, inferenceQuery, inferredTypes } from './infer.ts';
import { resolveTypeNames } from '../engine/type-names.ts';
import { claimSchemas, dropBatchSchema } from '../batch/schemas.ts';
import type { SeedPlan } from '../plan/types.ts';

/** A CSV file bound for one table. */
export interface CsvPlan {
  name: string;
  schema: string;
  file: string;
  /** Project-relative when inside the project: what error messages name. */
  display: string;
}

export interface SeedFile extends CsvPlan {
  columnTypes: Record<string, string>;
  primaryKey: string[];
}

export interface SeedResult {
  seed: string;
  relation: string;
  file: string;
  rows: number;
  columns: { name: string; type: string }[];
  primaryKey: string[];
  status: 'loaded' | 'unchanged';
  durationMs: number;
}


export class SeedError extends Error {}

/** Which CSV feeds each seed: seeds/<name>.csv. */
export function seedFiles(project: Project): SeedFile[] {
  const plans = project.seeds.map((s) => {
    const cfg = project.config.seeds[s.name] ?? {};
    return {
      name: s.name,
      schema: cfg.schema ?? project.config.seedSchema,
      file: s.path,
      display: s.relPath,
      columnTypes: cfg.columnTypes ?? {},
      primaryKey: cfg.primaryKey ?? [],
    };
  });
  return plans;
}

async function fileChecksum(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface PgError {
  message: string;
  where?: string;
  detail?: string;
}

/** Postgres names the COPY line; people want the file and line. */
function copyError(plan: CsvPlan, err: unknown): SeedError {
  const e = err as PgError;
  const line = /line (\d+)/.exec(e.where ?? '')?.[1];
  const column = /column (\S+?):/.exec(e.where ?? '')?.[1];
  const where = `${plan.display}${line ? `, line ${line}` : ''}${column ? `, column ${column}` : ''}`;
  return new SeedError(`seed ${plan.name} (${where}): ${e.message}${e.detail ? ` (${e.detail})` : ''}; nothing was loaded`);
}

export async function tableColumns(db: Queryable, schema: string, table: string): Promise<{ name: string; type: string }[]> {
  const { rows } = await db.query<{ name: string; type: string }>(
    `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relname = $2 and a.attnum > 0 and not a.attisdropped
      order by a.attnum`,
    [schema, table],
  );
  return rows;
}

/** Tables that reference each other are filled parents first. */
export async function foreignKeyOrder<P extends CsvPlan>(db: Queryable, plans: P[]): Promise<P[]> {
  const byRel = new Map(plans.map((p) => [`${p.schema}.${p.name}`, p]));
  const { rows } = await db.query<{ child: string; parent: string }>(
    `select cn.nspname || '.' || cc.relname as child, pn.nspname || '.' || pc.relname as parent
       from pg_constraint k
       join pg_class cc on cc.oid = k.conrelid join pg_namespace cn on cn.oid = cc.relnamespace
       join pg_class pc on pc.oid = k.confrelid join pg_namespace pn on pn.oid = pc.relnamespace
      where k.contype = 'f'`,
  );
  const dag = new Dag();
  for (const rel of byRel.keys()) dag.addNode(rel);
  for (const { child, parent } of rows) if (child !== parent && byRel.has(child) && byRel.has(parent)) dag.addEdge(parent, child);
  return dag.sort().order.map((rel) => byRel.get(rel)!);
}

export async function copyCsv(tx: Queryable, plan: CsvPlan, relation: string, columns: string[]): Promise<number> {
  try {
    return await tx.copyFrom(
      `copy ${relation} (${columns.map(quoteIdent).join(', ')}) from stdin with (format csv, header true)`,
      createReadStream(plan.file),
    );
  } catch (err) {
    throw copyError(plan, err);
  }
}

export function checkHeader(plan: CsvPlan, header: string[], known?: string[]): void {
  const problems: string[] = [];
  header.forEach((h, i) => {
    if (h === '') problems.push(`column ${i + 1} has no name`);
    else if (header.indexOf(h) !== i) problems.push(`column \`${h}\` appears twice`);
    else if (known && !known.includes(h)) problems.push(`\`${h}\` is not a column of ${plan.schema}.${plan.name} (columns: ${known.join(', ')})`);
  });
  if (problems.length > 0) throw new SeedError(`seed ${plan.name} (${plan.display}, line 1): ${problems.join('; ')}; nothing was loaded`);
}

export async function rowCount(tx: Queryable, relation: string): Promise<number> {
  const { rows } = await tx.query<{ n: string | number }>(`select count(*) as n from ${relation}`);
  return Number(rows[0]!.n);
}

/** A table made from the CSV in the batch's schema: text staging, types inferred in SQL, then the typed table. */
async function loadCreated(tx: Queryable, plan: SeedFile, schema: string): Promise<Omit<SeedResult, 'durationMs' | 'status'>> {
  const relation = qualify(schema, plan.name);
  const staging = qualify(schema, `__strata_seed_${plan.name}`);
  const header = await readCsvHeader(plan.file);
  checkHeader(plan, header);
  await tx.query(`create table ${staging} (${header.map((h) => `${quoteIdent(h)} text`).join(', ')})`);
  const copied = await copyCsv(tx, plan, staging, header);
  const { rows } = await tx.query(inferenceQuery(staging, header));
  const inferred = inferredTypes(rows[0] ?? {}, header);
  const types = header.map((h, i) => plan.columnTypes[h] ?? inferred[i]!);
  const select = `select ${header.map((h, i) => `${castExpr(h, types[i]!)} as ${quoteIdent(h)}`).join(', ')} from ${staging}`;
  try {
    await tx.query(`create table ${relation} as ${select}`);
    if (plan.primaryKey.length > 0) await tx.query(`alter table ${relation} add primary key (${plan.primaryKey.map(quoteIdent).join(', ')})`);
  } catch (err) {
    const e = err as PgError;
    throw new SeedError(`seed ${plan.name} (${plan.display}): ${e.message}${e.detail ? ` (${e.detail})` : ''}; nothing was loaded`);
  }
  await tx.query(`drop table ${staging}`);
  const counted = await rowCount(tx, relation);
  if (counted !== copied) throw new SeedError(`seed ${plan.name}: copied ${copied} rows but the table holds ${counted}`);
  return { seed: plan.name, relation: `${plan.schema}.${plan.name}`, file: plan.display, rows: copied, columns: await tableColumns(tx, schema, plan.name), primaryKey: plan.primaryKey };
}

/** `column_types` as PostgreSQL resolves them, so a seed's identity never depends on how a type is spelled. */
async function resolvedTypes(engine: Engine, plan: SeedFile): Promise<Record<string, string>> {
  const cols = Object.entries(plan.columnTypes);
  try {
    const types = await resolveTypeNames(engine, cols.map(([, t]) => t));
    return Object.fromEntries(cols.map(([c], i) => [c, types[i]!]));
  } catch (err) {
    throw new SeedError(`project.yaml key \`seeds.${plan.name}.column_types\`: ${(err as Error).message}`);
  }
}

/** What makes a seed the same seed: its file's bytes, its resolved column types and its key. */
async function seedChecksum(engine: Engine, plan: SeedFile): Promise<string> {
  const types = await resolvedTypes(engine, plan);
  const hash = createHash('sha256').update(await fileChecksum(plan.file));
  hash.update(JSON.stringify([Object.entries(types).sort(), plan.primaryKey]));
  return hash.digest('hex').slice(0, 16);
}

/** The layer name seeds have in a batch's mapping (strata.batch_relations). */
export const SEED_LAYER = 'seed';

/** Each seed's checksum as its CSV stands now: what the batch plan compares with the published seed's. */
export async function seedChecksums(engine: Engine, project: Project): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const plan of seedFiles(project)) out.set(plan.name, await seedChecksum(engine, plan));
  return out;
}

export interface SeedOptions {
  batchId: string;
  /** The batch plan's seeds: `load` ones into the batch's schema; `keep` ones carried over. */
  seeds: readonly SeedPlan[];
  onSeed?: (result: SeedResult) => void;
}

export interface SeedBatch {
  results: SeedResult[];
  /** Schemas this batch created (dropped again if it is not published). */
  schemas: string[];
}

/**
 * Loads the seeds the batch plan says changed (file, resolved column types or key), like
 * models: each into a new table in the batch's own schema (`seeds__<batch>`), one
 * transaction each, COPY then typed; an unchanged one keeps the table of the published
 * batch. The published relation is a view switched at publish time, so a failed build never
 * changes what readers see, and a kept batch (whose models read its own seed tables) never
 * blocks a seed from changing its columns. A bad file fails with its name and line.
 */
export async function loadSeeds(engine: Engine, project: Project, opts: SeedOptions): Promise<SeedBatch> {
  const plans = new Map(seedFiles(project).map((p) => [p.name, p]));
  const results: SeedResult[] = [];
  const toLoad = opts.seeds.filter((s) => s.action === 'load');
  for (const s of opts.seeds.filter((x) => x.action === 'keep')) {
    const plan = plans.get(s.seed)!;
    const result: SeedResult = {
      seed: plan.name, relation: `${plan.schema}.${plan.name}`, file: plan.display,
      rows: await rowCount(engine, qualify(s.publishes.physicalSchema, plan.name)), columns: [], primaryKey: plan.primaryKey, status: 'unchanged', durationMs: 0,
    };
    results.push(result);
    opts.onSeed?.(result);
  }
  const schemas = [...new Set(toLoad.map((s) => s.publishes.physicalSchema))].sort();
  await claimSchemas(engine, opts.batchId, schemas);
  try {
    for (const s of toLoad) {
      const plan = plans.get(s.seed)!;
      const started = performance.now();
      const schema = s.publishes.physicalSchema;
      const loaded = await engine.transaction((tx) => loadCreated(tx, plan, schema));
      // Fresh statistics, so the models that read the seed in this build get sane plans
      // (an unanalysed lexicon made the planner sort millions of tokens for a merge join).
      await engine.query(`analyze ${qualify(schema, plan.name)}`);
      const result: SeedResult = { ...loaded, status: 'loaded', durationMs: performance.now() - started };
      results.push(result);
      opts.onSeed?.(result);
    }
  } catch (err) {
    for (const sc of schemas) await dropBatchSchema(engine, sc, opts.batchId);
    throw err;
  }
  return { results, schemas };
}
