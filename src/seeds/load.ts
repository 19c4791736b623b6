import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Dag } from '../graph/dag.ts';
import type { Engine, Queryable } from '../engine/engine.ts';
import { qualify, quoteIdent } from '../engine/quote.ts';
import type { Project } from '../project/types.ts';
import { readCsvHeader } from './header.ts';
import { castExpr, inferenceQuery, inferredTypes } from './infer.ts';

/** A CSV file bound for one table. */
export interface CsvPlan {
  name: string;
  schema: string;
  file: string;
  /** Project-relative when inside the project: what error messages name. */
  display: string;
}

export interface SeedPlan extends CsvPlan {
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

const SEED_COMMENT = 'strata seed';
const TYPE_NAME = /^[a-z][a-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\])?$/i;

export class SeedError extends Error {}

/** Which CSV feeds each seed: seeds/<name>.csv. */
export function planSeeds(project: Project): SeedPlan[] {
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
  for (const plan of plans) {
    for (const [col, type] of Object.entries(plan.columnTypes)) {
      if (!TYPE_NAME.test(type)) throw new SeedError(`project.yaml key \`seeds.${plan.name}.column_types.${col}\`: ${JSON.stringify(type)} is not a type name`);
    }
  }
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

/** A table made from the CSV: text staging, types inferred in SQL, then the typed table. */
async function loadCreated(tx: Queryable, plan: SeedPlan): Promise<Omit<SeedResult, 'durationMs' | 'status'>> {
  const relation = qualify(plan.schema, plan.name);
  const staging = qualify(plan.schema, `__strata_seed_${plan.name}`);
  const header = await readCsvHeader(plan.file);
  checkHeader(plan, header);
  await tx.query(`create schema if not exists ${quoteIdent(plan.schema)}`);
  await tx.query(`drop table if exists ${staging}`);
  await tx.query(`create table ${staging} (${header.map((h) => `${quoteIdent(h)} text`).join(', ')})`);
  const copied = await copyCsv(tx, plan, staging, header);
  const { rows } = await tx.query(inferenceQuery(staging, header));
  const inferred = inferredTypes(rows[0] ?? {}, header);
  const types = header.map((h, i) => plan.columnTypes[h] ?? inferred[i]!);
  const select = `select ${header.map((h, i) => `${castExpr(h, types[i]!)} as ${quoteIdent(h)}`).join(', ')} from ${staging}`;

  const existing = await tableColumns(tx, plan.schema, plan.name);
  const sameShape =
    existing.length === header.length && existing.every((c, i) => c.name === header[i] && c.type === types[i]);
  try {
    if (sameShape) {
      // Same columns: refill in place, so views that read the seed keep working.
      await tx.query(`truncate ${relation}`);
      await tx.query(`insert into ${relation} ${select}`);
    } else {
      await tx.query(`drop table if exists ${relation}`);
      await tx.query(`create table ${relation} as ${select}`);
      await tx.query(`comment on table ${relation} is '${SEED_COMMENT}'`);
    }
    if (plan.primaryKey.length > 0 && !sameShape) {
      await tx.query(`alter table ${relation} add primary key (${plan.primaryKey.map(quoteIdent).join(', ')})`);
    }
  } catch (err) {
    const e = err as PgError;
    throw new SeedError(`seed ${plan.name} (${plan.display}): ${e.message}${e.detail ? ` (${e.detail})` : ''}; nothing was loaded`);
  }
  await tx.query(`drop table ${staging}`);
  const counted = await rowCount(tx, relation);
  if (counted !== copied) throw new SeedError(`seed ${plan.name}: copied ${copied} rows but the table holds ${counted}`);
  return {
    seed: plan.name,
    relation,
    file: plan.display,
    rows: copied,
    columns: header.map((name, i) => ({ name, type: types[i]! })),
    primaryKey: plan.primaryKey,
  };
}

export interface SeedOptions {
  /** Skip seeds whose file is unchanged since they were last loaded (what `build` does). */
  onlyChanged?: boolean;
  onSeed?: (result: SeedResult) => void;
}

/**
 * Loads every seed with COPY, one transaction each, into a table made from its CSV in
 * strata's seed schema (never a source's: the config refuses that). A bad file fails with
 * its name and line, and its transaction leaves nothing behind.
 */
export async function loadSeeds(engine: Engine, project: Project, opts: SeedOptions = {}): Promise<SeedResult[]> {
  const plans = planSeeds(project);
  const checksums = new Map(await Promise.all(plans.map(async (p) => [p.name, await fileChecksum(p.file)] as const)));
  const { rows: loaded } = await engine.query<{ seed: string; checksum: string; rows: string | number; relation: string }>(
    'select seed, checksum, rows, relation from strata.seed_loads',
  );
  const previous = new Map(loaded.map((r) => [r.seed, r]));

  const unchanged = (p: SeedPlan): boolean => opts.onlyChanged === true && previous.get(p.name)?.checksum === checksums.get(p.name);
  const results: SeedResult[] = [];
  const record = async (tx: Queryable, r: Omit<SeedResult, 'durationMs' | 'status'>, started: number): Promise<void> => {
    await tx.query(
      `insert into strata.seed_loads (seed, relation, checksum, rows, loaded_at) values ($1, $2, $3, $4, now())
       on conflict (seed) do update set relation = excluded.relation, checksum = excluded.checksum, rows = excluded.rows, loaded_at = now()`,
      [r.seed, r.relation, checksums.get(r.seed), r.rows],
    );
    const result: SeedResult = { ...r, status: 'loaded', durationMs: performance.now() - started };
    results.push(result);
    opts.onSeed?.(result);
  };
  const skip = (p: SeedPlan): void => {
    const prev = previous.get(p.name)!;
    const result: SeedResult = {
      seed: p.name, relation: prev.relation, file: p.display, rows: Number(prev.rows),
      columns: [], primaryKey: p.primaryKey, status: 'unchanged', durationMs: 0,
    };
    results.push(result);
    opts.onSeed?.(result);
  };

  for (const plan of plans) {
    if (unchanged(plan)) {
      skip(plan);
      continue;
    }
    const started = performance.now();
    await engine.transaction(async (tx) => record(tx, await loadCreated(tx, plan), started));
  }
  // Fresh statistics, so the models that read the seeds in this build get sane plans
  // (an unanalysed lexicon made the planner sort millions of tokens for a merge join).
  for (const r of results) if (r.status === 'loaded') await engine.query(`analyze ${r.relation}`);
  return results;
}
