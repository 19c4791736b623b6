/**
 * Runs unit tests: a model's SQL against the given rows only. Each test gets its own scratch
 * schema: one table per input (the relation's known columns, typed where known; what a row
 * leaves out is null), the model's SQL with its refs and sources pointed at them, and the
 * expected rows typed like the model's result. Rows are compared as multisets, in SQL
 * (`except all` both ways), so `0.5` equals a numeric `0.5000`. The test's transaction is
 * rolled back after, the schema with it.
 */
import type { CompiledProject } from '../compile/compile.ts';
import { resolvePlaceholders } from '../compile/placeholders.ts';
import { createRenderer } from '../compile/render.ts';
import type { Diagnostic } from '../core/errors.ts';
import { errorMessage } from '../core/errors.ts';
import type { Engine, Queryable } from '../engine/engine.ts';
import { qualify, quoteIdent, sqlLiteral } from '../engine/quote.ts';
import { inlineEphemerals } from '../materialize/ephemeral.ts';
import { sessionSettings } from '../materialize/statements.ts';
import { rolledBack } from '../engine/rolled-back.ts';
import type { Catalog, CatalogColumn, ModelAnalysis } from '../sql/analyze.ts';
import type { UnitGiven, UnitRow, UnitTestSpec } from './spec.ts';

export interface UnitTestResult {
  name: string;
  model: string;
  status: 'pass' | 'fail' | 'error';
  /** Expected rows the model did not produce (only the expected columns). */
  missing: UnitRow[];
  /** Rows the model produced that were not expected (only the expected columns). */
  unexpected: UnitRow[];
  error?: string;
  durationS: number;
  file: string;
  line?: number;
}

export interface UnitContext {
  compiled: CompiledProject;
  analyses: ReadonlyMap<string, ModelAnalysis>;
  /** Seeds' and source tables' columns (compile/comprehend.ts projectCatalog). */
  catalog: Catalog;
}

/** Shown at most, per direction, in a failure. */
const SHOWN = 20;

/** A column type from its given values when nothing better is known (CSV values are all strings). */
function typeOfValues(values: unknown[], csv: boolean): string {
  const present = values.filter((v) => v !== null && v !== undefined && v !== '');
  const all = (test: (v: unknown) => boolean): boolean => present.length > 0 && present.every(test);
  const text = (re: RegExp) => (v: unknown): boolean => typeof v === 'number' || (csv && typeof v === 'string' && re.test(v));
  if (all((v) => typeof v === 'boolean' || (csv && typeof v === 'string' && /^(true|false)$/i.test(v)))) return 'boolean';
  if (all((v) => (typeof v === 'number' ? Number.isInteger(v) : text(/^-?\d+$/)(v)))) return 'bigint';
  if (all(text(/^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i))) return 'numeric';
  return 'text';
}

/** The given input's columns: the relation's known ones, then any other a row names. */
function inputColumns(given: UnitGiven, known: readonly CatalogColumn[] | undefined): { name: string; type: string }[] {
  const cols = new Map<string, string | undefined>((known ?? []).map((c) => [c.name, c.type]));
  for (const row of given.rows) for (const k of Object.keys(row)) if (!cols.has(k)) cols.set(k, undefined);
  return [...cols].map(([name, type]) => ({
    name,
    type: type ?? typeOfValues(given.rows.map((r) => r[name]), given.csv === true),
  }));
}

const literal = (v: unknown): string =>
  v === undefined || v === null ? 'null' : typeof v === 'object' ? sqlLiteral(JSON.stringify(v)) : sqlLiteral(v);

/** A table holding `rows` with these typed columns. */
async function createRowsTable(db: Queryable, relation: string, columns: { name: string; type: string }[], rows: UnitRow[]): Promise<void> {
  await db.query(`create table ${relation} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`);
  if (rows.length === 0 || columns.length === 0) return;
  const values = rows.map((r) => `(${columns.map((c) => `${literal(r[c.name])}::${c.type}`).join(', ')})`).join(',\n');
  await db.query(`insert into ${relation} (${columns.map((c) => quoteIdent(c.name)).join(', ')}) values\n${values}`);
}

/** The model's SQL for this test: rendered with the overridden vars when there are any. */
function modelSql(ctx: UnitContext, spec: UnitTestSpec): string {
  const { compiled } = ctx;
  const model = compiled.models.get(spec.model)!;
  if (Object.keys(spec.vars).length === 0) return model.sql;
  const file = compiled.project.models.find((f) => f.name === spec.model)!;
  const problems: Diagnostic[] = [];
  const config = { ...compiled.project.config, vars: { ...compiled.project.config.vars, ...spec.vars } };
  const renderer = createRenderer({ refTargets: new Set([...compiled.models.keys(), ...compiled.seeds.keys()]), config }, compiled.project.macros, problems);
  const template = renderer.compile(file.relPath, file.text);
  const rendered = template ? renderer.render(template, file.relPath, { isIncremental: false, batchId: 'unit_test' }) : null;
  if (!rendered || problems.length + rendered.state.diagnostics.length > 0) {
    throw new Error(`cannot render ${file.relPath} with the overridden vars: ${[...problems, ...rendered?.state.diagnostics ?? []].map((d) => d.message).join('; ')}`);
  }
  return rendered.sql.trim();
}

async function runOne(db: Queryable, ctx: UnitContext, spec: UnitTestSpec, schema: string): Promise<Omit<UnitTestResult, 'durationS'>> {
  const { compiled } = ctx;
  const base = { name: spec.name, model: spec.model, file: spec.file, ...(spec.line !== undefined ? { line: spec.line } : {}) };
  const model = compiled.models.get(spec.model)!;

  // One table per input. A ref not given is an empty table of its known columns.
  const tableOf = new Map<string, string>();
  const givenRefs = new Map(spec.given.flatMap((g) => (g.input.kind === 'ref' ? [[g.input.name, g] as const] : [])));
  const knownColumns = (name: string): readonly CatalogColumn[] | undefined =>
    ctx.analyses.get(name)?.columns?.map((c) => ({ name: c.name, type: c.type })) ?? ctx.catalog({ kind: 'ref', name });
  const refsRead = new Set<string>();
  const collect = (sql: string): void => {
    for (const [, name] of sql.matchAll(/\u0001ref:([^\u0001]*)\u0001/g)) {
      if (givenRefs.has(name!) || compiled.models.get(name!)?.config.materialized !== 'ephemeral') refsRead.add(name!);
      else if (!refsRead.has(name!)) collect(compiled.models.get(name!)!.sql); // an ephemeral not given: inlined, its inputs needed
    }
  };
  const sql = modelSql(ctx, spec);
  collect(sql);
  for (const name of [...refsRead, ...givenRefs.keys()]) {
    if (tableOf.has(name)) continue;
    const given = givenRefs.get(name) ?? { input: { kind: 'ref' as const, name }, label: `ref('${name}')`, rows: [] };
    const known = knownColumns(name);
    if (!givenRefs.has(name) && !known) throw new Error(`the model reads ref('${name}'), which is not given and whose columns are not known: give it (rows may be [])`);
    const relation = qualify(schema, name);
    await createRowsTable(db, relation, inputColumns(given, known), given.rows);
    tableOf.set(name, relation);
  }
  let resolved = resolvePlaceholders(
    inlineEphemerals({ ...compiled, models: new Map([...compiled.models].map(([n, m]) => [n, givenRefs.has(n) ? { ...m, config: { ...m.config, materialized: 'table' as const } } : m])) }, sql),
    { ref: (name) => tableOf.get(name) ?? qualify(schema, name), this: () => qualify(schema, '__this') },
  );
  // Sources render as their schema-qualified table: point each given one at its table.
  for (const g of spec.given) {
    if (g.input.kind !== 'source') continue;
    const { source, table } = g.input;
    const declared = compiled.project.config.sources.find((s) => s.name === source);
    if (!declared) throw new Error(`given ${g.label}: no source \`${source}\` in project.yaml`);
    const original = qualify(declared.schema, table);
    const relation = qualify(schema, `source__${source}__${table}`);
    const known = ctx.catalog({ kind: 'table', schema: declared.schema, name: table });
    await createRowsTable(db, relation, inputColumns(g, known), g.rows);
    resolved = resolved.replaceAll(original, relation);
  }
  for (const s of model.sources) {
    if (!spec.given.some((g) => g.input.kind === 'source' && g.input.source === s.source && g.input.table === s.table)) {
      throw new Error(`the model reads source('${s.source}', '${s.table}'), which is not given`);
    }
  }

  // The model runs with its own settings, as in a build: review_features' jit=off, say — without
  // it the planner, guessing its word rows from nothing, JIT-compiled a 4-review test (1 s).
  for (const sql of sessionSettings(model)) await db.query(sql);
  const actual = qualify(schema, '__actual');
  await db.query(`create table ${actual} as\n${resolved}`);
  const { rows: types } = await db.query<{ name: string; type: string }>(
    `select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute
     where attrelid = ${sqlLiteral(actual)}::regclass and attnum > 0 and not attisdropped order by attnum`,
  );
  const typeOf = new Map(types.map((t) => [t.name, t.type]));
  const columns = [...new Set(spec.expect.flatMap((r) => Object.keys(r)))];
  const absent = columns.filter((c) => !typeOf.has(c));
  if (absent.length > 0) throw new Error(`expect names column${absent.length > 1 ? 's' : ''} ${absent.map((c) => `\`${c}\``).join(', ')}, which ${spec.model} does not produce (it produces ${types.map((t) => t.name).join(', ')})`);
  const expected = qualify(schema, '__expected');
  await createRowsTable(db, expected, columns.map((name) => ({ name, type: typeOf.get(name)! })), spec.expect);
  // Text, so the rows print as they compare (numerics with their scale, timestamps in full).
  const list = columns.map((c) => `${quoteIdent(c)}::text as ${quoteIdent(c)}`).join(', ') || 'null';
  const diff = async (a: string, b: string): Promise<UnitRow[]> =>
    (await db.query<UnitRow>(`select ${list} from (select ${columns.map(quoteIdent).join(', ') || '1'} from ${a} except all select ${columns.map(quoteIdent).join(', ') || '1'} from ${b}) d limit ${SHOWN}`)).rows;
  const missing = await diff(expected, actual);
  const unexpected = await diff(actual, expected);
  return { ...base, status: missing.length + unexpected.length === 0 ? 'pass' : 'fail', missing, unexpected };
}

/**
 * Runs the tests one after another on `engine`, each in a transaction rolled back at its end
 * with the scratch schema it made: no other session ever sees the schema, and a crash or a
 * lost connection cannot leave one behind (the server rolls an unfinished transaction back).
 * On the embedded engine and on a build's server this is the user's own database.
 */
export async function runUnitTests(engine: Engine, ctx: UnitContext, specs: readonly UnitTestSpec[], onResult?: (r: UnitTestResult) => void): Promise<UnitTestResult[]> {
  const results: UnitTestResult[] = [];
  for (const [i, spec] of specs.entries()) {
    const started = performance.now();
    const schema = `strata_unit_${process.pid}_${i}`;
    let result: Omit<UnitTestResult, 'durationS'>;
    try {
      result = await rolledBack(engine, async (tx) => {
        await tx.query(`create schema ${quoteIdent(schema)}`);
        return runOne(tx, ctx, spec, schema);
      });
    } catch (err) {
      result = { name: spec.name, model: spec.model, status: 'error', missing: [], unexpected: [], error: errorMessage(err), file: spec.file, ...(spec.line !== undefined ? { line: spec.line } : {}) };
    }
    const done = { ...result, durationS: Math.round(performance.now() - started) / 1000 };
    results.push(done);
    onResult?.(done);
  }
  return results;
}

/** Compile-time checks: the model exists, and every given ref or source is one the model reads. */
export function unitTestProblems(compiled: CompiledProject, specs: readonly UnitTestSpec[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const s of specs) {
    const where = { file: s.file, ...(s.line !== undefined ? { line: s.line } : {}), node: s.model };
    const model = compiled.models.get(s.model);
    if (!model) {
      out.push({ ...where, message: `unit test \`${s.name}\`: no model \`${s.model}\`` });
      continue;
    }
    for (const g of s.given) {
      const read = g.input.kind === 'ref'
        ? model.refs.includes(g.input.name) || ephemeralReads(compiled, model.refs).has(g.input.name)
        : model.sources.some((x) => g.input.kind === 'source' && x.source === g.input.source && x.table === g.input.table);
      if (!read) out.push({ ...where, message: `unit test \`${s.name}\`: given ${g.label}, which \`${s.model}\` does not read` });
    }
  }
  return out;
}

/** Refs reached through ephemeral refs (they are inlined, so their inputs are the model's). */
function ephemeralReads(compiled: CompiledProject, refs: readonly string[]): Set<string> {
  const out = new Set<string>();
  const visit = (names: readonly string[]): void => {
    for (const n of names) {
      const m = compiled.models.get(n);
      if (m?.config.materialized !== 'ephemeral') continue;
      for (const r of m.refs) if (!out.has(r)) {
        out.add(r);
        visit([r]);
      }
    }
  };
  visit(refs);
  return out;
}
