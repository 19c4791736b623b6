import { join } from 'node:path';
import { StrataError } from '../core/errors.ts';
import type { Engine, Queryable } from '../engine/engine.ts';
import { qualify, quoteIdent } from '../engine/quote.ts';
import { readActive } from './active.ts';
import { encodeCopyStream } from './copy-binary-encoder.ts';
import { batchDir } from './layout.ts';
import { readManifest, type ManifestTable } from './manifest.ts';
import { readParquetBatches } from './parquet-reader.ts';
import { planColumn, type ColumnPlan } from './type-mapping.ts';
import { checkTableFile } from './verify.ts';

export interface RestoreOptions {
  engine: Engine;
  lakeDir: string;
  layer: string;
  /** Default: the active batch. */
  batchId?: string;
  /** Tables are created here, under their lake names. */
  targetSchema: string;
  /** Only these tables (default: all in the batch). */
  tables?: readonly string[];
  /** Drop a table of the same name first; without it an existing table is an error. */
  replace?: boolean;
}

export interface RestoredTable {
  name: string;
  relation: string;
  rows: number;
  /** Columns whose type does not exist in the target database, left as text. */
  keptAsText: string[];
}

export interface RestoreResult {
  batchId: string;
  targetSchema: string;
  tables: RestoredTable[];
}

function plansOf(table: ManifestTable): ColumnPlan[] {
  return table.columns.map((c) => planColumn({ name: c.name, typeOid: c.typeOid, typmod: c.typmod, typeName: c.pgType }));
}

/**
 * Type names come from a file, so they reach SQL only after the server parsed them as
 * exactly one existing type (to_regtype rejects anything else, e.g. `int); drop …`).
 * Asked outside any transaction: a parse error would abort it.
 */
async function typeExists(db: Queryable, typeName: string): Promise<boolean> {
  try {
    const { rows } = await db.query<{ known: boolean }>('select to_regtype($1) is not null as known', [typeName]);
    return rows[0]?.known === true;
  } catch {
    return false;
  }
}

/** The columns whose own type the database lacks (they stay text); throws for a bad wire type. */
async function checkTypes(db: Queryable, table: string, plans: readonly ColumnPlan[]): Promise<Set<string>> {
  const keepText = new Set<string>();
  for (const p of plans) {
    if (!(await typeExists(db, p.wireType))) throw new StrataError(`${table}.${p.spec.name}: the manifest's type ${JSON.stringify(p.wireType)} is not a type this database knows`);
    if (p.asText && !(await typeExists(db, p.spec.typeName))) keepText.add(p.spec.name);
  }
  return keepText;
}

async function restoreTable(engine: Engine, dir: string, table: ManifestTable, schema: string, replace: boolean): Promise<RestoredTable> {
  const relation = qualify(schema, table.name);
  const plans = plansOf(table);
  const keepText = await checkTypes(engine, table.name, plans);
  return engine.transaction(async (tx) => {
    if (replace) await tx.exec(`drop table if exists ${relation}`);
    const columns = plans.map((p) => `${quoteIdent(p.spec.name)} ${p.wireType}`).join(', ');
    try {
      await tx.exec(`create table ${relation} (${columns})`);
    } catch (err) {
      throw new StrataError(`cannot create ${relation}: ${(err as Error).message}${replace ? '' : ' (pass replace to drop an existing table)'}`);
    }
    const names = plans.map((p) => quoteIdent(p.spec.name)).join(', ');
    const batches = readParquetBatches(join(dir, table.file));
    const rows = await tx.copyFrom(`copy ${relation} (${names}) from stdin (format binary)`, encodeCopyStream(batches, plans));
    if (rows !== table.rows) throw new StrataError(`${relation}: restored ${rows} rows, the manifest says ${table.rows}`);
    for (const p of plans.filter((x) => x.asText && !keepText.has(x.spec.name))) {
      const col = quoteIdent(p.spec.name);
      await tx.exec(`alter table ${relation} alter column ${col} type ${p.spec.typeName} using ${col}::${p.spec.typeName}`);
    }
    return { name: table.name, relation, rows, keptAsText: [...keepText] };
  });
}

/**
 * Loads a lake batch back into tables of `targetSchema` — the recovery path when the
 * database is lost. Files are verified against the manifest first; each table is
 * created and filled in its own transaction, so a failure leaves no half-filled table.
 */
export async function restoreBatch(opts: RestoreOptions): Promise<RestoreResult> {
  const batchId = opts.batchId ?? (await readActive(opts.lakeDir, opts.layer));
  if (!batchId) throw new StrataError(`the ${opts.layer} lake has no active batch; name the batch to restore`);
  const dir = batchDir(opts.lakeDir, opts.layer, batchId);
  const manifest = await readManifest(dir);
  const wanted = opts.tables ? new Set(opts.tables) : null;
  const tables = manifest.tables.filter((t) => !wanted || wanted.has(t.name));
  const unknown = [...(wanted ?? [])].filter((name) => !manifest.tables.some((t) => t.name === name));
  if (unknown.length > 0) throw new StrataError(`batch ${batchId} has no table ${unknown.join(', ')}`);
  for (const table of tables) {
    const problems = await checkTableFile(dir, table);
    if (problems.length > 0) throw new StrataError(`${join(dir, table.file)} is damaged (${problems.join('; ')}); refusing to restore from it`);
  }
  await opts.engine.exec(`create schema if not exists ${quoteIdent(opts.targetSchema)}`);
  const restored: RestoredTable[] = [];
  for (const table of tables) restored.push(await restoreTable(opts.engine, dir, table, opts.targetSchema, opts.replace ?? false));
  return { batchId, targetSchema: opts.targetSchema, tables: restored };
}
