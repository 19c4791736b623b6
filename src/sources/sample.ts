/**
 * Sample data for the sources: CSV files (one per table) loaded into a source's own tables,
 * the only write strata ever makes to a source besides `migrate`. It happens only on
 * request (`seed --sample`, `build --seed-from DIR`, or the embedded quick start) and only
 * into empty tables: when any table of the source holds a row, nothing is loaded at all.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { Engine, Queryable } from '../engine/engine.ts';
import { qualify, quoteIdent } from '../engine/quote.ts';
import type { Project, SourceConfig } from '../project/types.ts';
import { readCsvHeader } from '../seeds/header.ts';
import { withKeysSetAside } from './bulk-load.ts';
import { checkHeader, copyCsv, foreignKeyOrder, rowCount, tableColumns, type CsvPlan } from '../seeds/load.ts';
import { groupThousands } from '../core/numbers.ts';

export class SampleRefused extends Error {}

export interface SampleTable {
  /** `schema.table`, as people read it. */
  relation: string;
  file: string;
  rows: number;
}

interface SamplePlan extends CsvPlan {
  source: SourceConfig;
}

/** The sample folder of each source, or `fromDir` for all of them: `<dir>/<table>.csv`. */
function planSample(project: Project, fromDir?: string): SamplePlan[] {
  const plans: SamplePlan[] = [];
  for (const source of project.config.sources) {
    const dir = fromDir ?? (source.sample ? (isAbsolute(source.sample) ? source.sample : join(project.dir, source.sample)) : undefined);
    if (!dir) continue;
    for (const table of source.tables) {
      const file = join(dir, `${table}.csv`);
      if (!existsSync(file)) continue;
      const display = file.startsWith(project.dir) ? relative(project.dir, file) : relative(process.cwd(), file);
      plans.push({ name: table, schema: source.schema, file, display, source });
    }
  }
  return plans;
}

/** Whether every table of the sources that have sample data exists and is empty (the quick start's test). */
export async function sampleSourcesEmpty(db: Queryable, project: Project): Promise<boolean> {
  const sources = new Set(planSample(project).map((p) => p.source));
  for (const source of sources) {
    for (const table of source.tables) {
      const { rows } = await db.query<{ found: boolean }>('select exists (select from ' + qualify(source.schema, table) + ' limit 1) as found');
      if (rows[0]!.found) return false;
    }
  }
  return sources.size > 0;
}

/**
 * Loads the sample (or `fromDir`'s CSV files) into the source tables, parents first, in one
 * transaction. Every table of each source concerned is locked against writers and counted
 * first: one row anywhere refuses the whole load, naming each non-empty table and its rows.
 */
export async function loadSample(engine: Engine, project: Project, fromDir?: string): Promise<SampleTable[]> {
  const plans = planSample(project, fromDir);
  if (plans.length === 0) {
    throw new SampleRefused(
      fromDir
        ? `${fromDir} holds no CSV file named after a source table (${project.config.sources.flatMap((s) => s.tables.map((t) => `${t}.csv`)).join(', ')})`
        : 'no source declares a `sample` folder with CSV files in project.yaml',
    );
  }
  const sources = [...new Set(plans.map((p) => p.source))];
  return engine.transaction(async (tx) => {
    const tables = sources.flatMap((s) => s.tables.map((t) => qualify(s.schema, t)));
    await checkTablesExist(tx, sources);
    // EXCLUSIVE: readers go on, but no writer can add a row between the count and the load.
    await tx.query(`lock table ${tables.join(', ')} in exclusive mode`);
    const occupied: string[] = [];
    for (const s of sources) {
      for (const t of s.tables) {
        const n = await rowCount(tx, qualify(s.schema, t));
        if (n > 0) occupied.push(`${s.schema}.${t} holds ${groupThousands(n)} row${n === 1 ? '' : 's'}`);
      }
    }
    if (occupied.length > 0) {
      throw new SampleRefused(
        `refusing to load sample data into source ${sources.map((s) => s.name).join(', ')}: ${occupied.join('; ')}. ` +
          'Sample data loads only into empty source tables, so the live data is never touched; nothing was loaded',
      );
    }
    const ordered = await foreignKeyOrder(tx, plans);
    const bulk = ordered.map((p) => ({ schema: p.schema, name: p.name, describe: `sample ${p.schema}.${p.name} (${p.display})` }));
    const loaded = await withKeysSetAside(tx, bulk, async () => {
      const done: SampleTable[] = [];
      for (const plan of ordered) {
        const relation = qualify(plan.schema, plan.name);
        const header = await readCsvHeader(plan.file);
        checkHeader(plan, header, (await tableColumns(tx, plan.schema, plan.name)).map((c) => c.name));
        done.push({ relation: `${plan.schema}.${plan.name}`, file: plan.display, rows: await copyCsv(tx, plan, relation, header) });
      }
      return done;
    });
    for (const plan of ordered) await tx.query(`analyze ${qualify(plan.schema, plan.name)}`);
    return loaded;
  });
}

async function checkTablesExist(tx: Queryable, sources: SourceConfig[]): Promise<void> {
  const missing: string[] = [];
  for (const s of sources) {
    for (const t of s.tables) {
      const { rows } = await tx.query<{ rel: string | null }>('select to_regclass($1)::text as rel', [`${quoteIdent(s.schema)}.${quoteIdent(t)}`]);
      if (rows[0]!.rel === null) missing.push(`${s.schema}.${t}`);
    }
  }
  if (missing.length > 0) throw new SampleRefused(`source table${missing.length > 1 ? 's' : ''} ${missing.join(', ')} do${missing.length > 1 ? '' : 'es'} not exist: run \`strata migrate\` first; nothing was loaded`);
}
