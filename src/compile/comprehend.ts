/**
 * SQL comprehension at compile time: every rendered model is read by PostgreSQL's own
 * parser (libpg-query) and analyzed in dependency order, so before any database is touched
 * strata knows each model's output columns and their lineage, and reports, all at once and
 * at the template's line and column: syntax errors, statements that are not one SELECT,
 * columns a model reads that its parent does not produce, and schema tests on columns a
 * model does not produce. Call `loadSqlParser()` (sql/parser.ts) once before.
 */
import { openSync, readSync, closeSync } from 'node:fs';
import type { Diagnostic } from '../core/errors.ts';
import { parseHeaderLine } from '../seeds/header.ts';
import { analyzeModel, type Catalog, type CatalogColumn, type ModelAnalysis, type SqlProblem } from '../sql/analyze.ts';
import { tablesFromMigrations } from '../sql/ddl-columns.ts';
import { parseableSql, relationKey, type ParseableSql } from '../sql/model-sql.ts';
import type { ParseAhead } from '../sql/parse-ahead.ts';
import { readModel, type ReadOnlyProblem } from '../sql/read-only.ts';
import type { Project } from '../project/types.ts';
import { contractAtCompile, modelContract } from '../checks/contract.ts';
import type { AnalysisCache } from './analysis-cache.ts';
import type { ReadVerdicts } from './read-verdicts.ts';
import type { CompiledProject } from './compile.ts';
import type { RenderFlags } from './render.ts';
import { templateSites } from './template-sites.ts';
import { SNAPSHOT_COLUMNS, SNAPSHOT_RESERVED } from '../materialize/snapshot.ts';

export interface Comprehension {
  /** Per model, in dependency order. */
  analyses: Map<string, ModelAnalysis>;
  diagnostics: Diagnostic[];
}

/** The first line of a CSV file, without reading the rest (seeds can be large). */
function csvHeader(path: string): string[] {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return parseHeaderLine(buf.subarray(0, n).toString('utf8').replace(/^\uFEFF/, ''));
  } finally {
    closeSync(fd);
  }
}

/**
 * What is known before any database: a seed's columns from its CSV header (typed where
 * project.yaml types them), a source table's from the migrations that create it.
 */
export function projectCatalog(project: Project): Catalog {
  const seeds = new Map<string, CatalogColumn[]>();
  for (const s of project.seeds) {
    let header: string[];
    try {
      header = csvHeader(s.path);
    } catch {
      continue; // unreadable: seeding reports it; its columns stay unknown here
    }
    const types = project.config.seeds[s.name]?.columnTypes ?? {};
    seeds.set(s.name, header.map((name) => ({ name, ...(types[name] ? { type: types[name] } : {}) })));
  }
  const tables = tablesFromMigrations(project.migrationsDir);
  return (r) => (r.kind === 'ref' ? seeds.get(r.name) : r.kind === 'table' ? tables.get(relationKey(r)) : undefined);
}

/** What readers of a snapshot see besides its columns: when each version was valid (materialize/snapshot.ts). */
export function addSnapshotColumns(analysis: ModelAnalysis): void {
  analysis.columns?.push(...SNAPSHOT_COLUMNS.map((c) => ({ name: c, type: 'timestamp with time zone', lineage: { kind: 'transform' as const, sources: [] } })));
}

/**
 * The analysis of a model's SQL: kept from the last compile (`cache`) when neither it nor its
 * inputs changed. Every model is checked to be one reading SELECT (a model that could write
 * is never built), by the parser or by a verdict the parser gave on this very SQL before
 * (`verdicts`, kept beside strata's code); then analyzed from the same parse. A kept analysis
 * saves the analysis only, never that check: a file in target/ must not be able to let a
 * writing model through.
 */
function analyzeSql(name: string, sql: string, catalog: Catalog, cache: AnalysisCache | undefined, verdicts: ReadVerdicts | undefined, ahead: ParsedAhead | undefined): { analysis?: ModelAnalysis; problem: ReadOnlyProblem | null } {
  if (verdicts?.reads(sql)) {
    const kept = cache?.reuse(name, sql, catalog);
    if (kept) return { analysis: kept, problem: null };
  }
  const { parsed, parseable, problem } = readModel(sql, { parseable: ahead?.parseables.get(name), parsed: ahead?.worker.take(name) });
  if (problem || !parsed) return { problem };
  verdicts?.keep(sql);
  const kept = cache?.reuse(name, sql, catalog);
  if (kept) return { analysis: kept, problem: null };
  const analysis = analyzeModel(sql, catalog, { parsed, parseable });
  cache?.keep(name, sql, analysis, catalog);
  return { analysis, problem: null };
}

/** The worker parsing ahead, and the parseable SQL it was given of each model (made once for it and the read-only check). */
export interface ParsedAhead {
  worker: ParseAhead;
  parseables: Map<string, ParseableSql>;
}

/**
 * Gives the worker the models whose analysis cannot be kept, in the order they are analyzed:
 * called as soon as the models are rendered, so that it is ahead of the analysis when that begins.
 */
export function parseAhead(worker: ParseAhead, compiled: CompiledProject, skip: ReadonlySet<string>, cache: AnalysisCache | undefined): ParsedAhead {
  const parseables = new Map<string, ParseableSql>();
  for (const name of compiled.order) {
    const model = compiled.models.get(name);
    if (model && !skip.has(model.relPath) && !cache?.holdsSql(name, model.sql)) parseables.set(name, parseableSql(model.sql));
  }
  worker.parse(parseables);
  return { worker, parseables };
}

/**
 * `skip`: files already reported broken (their models are not analyzed). `cache`: analyses of
 * an earlier compile. `verdicts`: the SQL already found to only read. `ahead`: the worker
 * parsing the models (sql/parse-ahead.ts), given them by `parseAhead` with the same `skip` and `cache`.
 */
export function comprehendProject(
  compiled: CompiledProject,
  flags: RenderFlags,
  skip: ReadonlySet<string> = new Set(),
  cache?: AnalysisCache,
  verdicts?: ReadVerdicts,
  ahead?: ParsedAhead,
): Comprehension {
  const { project, models } = compiled;
  const catalog = projectCatalog(project);
  const analyses = new Map<string, ModelAnalysis>();
  const diagnostics: Diagnostic[] = [];
  // A model's columns as its readers see them, made once however many read it.
  const seen = new Map<string, CatalogColumn[] | undefined>();
  const columnsOf: Catalog = (r) => {
    const done = r.kind === 'ref' ? analyses.get(r.name) : undefined;
    if (r.kind !== 'ref' || !done) return r.kind === 'ref' && models.has(r.name) ? undefined : catalog(r);
    if (!seen.has(r.name)) seen.set(r.name, done.columns?.map((c) => ({ name: c.name, type: c.type })));
    return seen.get(r.name);
  };

  for (const name of compiled.order) {
    const model = models.get(name);
    if (!model || skip.has(model.relPath)) continue;
    const { analysis: read, problem } = analyzeSql(name, model.sql, columnsOf, cache, verdicts, ahead);
    if (problem || !read) {
      diagnostics.push(...located(compiled, name, [{ kind: 'statement', message: problem!.message, offset: problem!.offset }], flags));
      continue;
    }
    let analysis = read;
    if (model.config.materialized === 'snapshot' && read.columns) {
      for (const c of read.columns) {
        if (SNAPSHOT_RESERVED.includes(c.name)) diagnostics.push({ file: model.relPath, node: name, message: `snapshot \`${name}\` produces \`${c.name}\`, a column name the snapshot uses itself (${SNAPSHOT_RESERVED.join(', ')})` });
      }
      // A copy: the cache keeps the analysis as the SQL gives it.
      analysis = { ...read, columns: [...read.columns] };
      addSnapshotColumns(analysis);
    }
    analyses.set(name, analysis);
    // An ephemeral is inlined as a CTE, where a column named twice is only an error when read.
    const problems = analysis.problems.filter((p) => !(p.kind === 'duplicate-column' && model.config.materialized === 'ephemeral'));
    if (problems.length > 0) diagnostics.push(...located(compiled, name, problems, flags));
  }
  diagnostics.push(...schemaTestColumns(compiled, analyses));
  diagnostics.push(...contracts(compiled, analyses, skip));
  diagnostics.push(...snapshotColumns(compiled, analyses, skip));
  return { analyses, diagnostics };
}

/** Every enforced contract: well declared, and met by the columns the analysis knows. */
function contracts(compiled: CompiledProject, analyses: ReadonlyMap<string, ModelAnalysis>, skip: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, doc] of compiled.project.docs) {
    const model = compiled.models.get(name);
    if (!doc.contract || !model || skip.has(model.relPath)) continue;
    if (model.config.materialized === 'ephemeral') {
      out.push({ file: doc.file, ...(doc.line !== undefined ? { line: doc.line } : {}), node: name, message: `contract of \`${name}\`: an ephemeral model publishes no relation to enforce it on` });
      continue;
    }
    const contract = modelContract(name, doc, out);
    if (contract) out.push(...contractAtCompile(name, doc, contract, analyses.get(name)?.columns ?? null));
  }
  return out;
}

/** Problems of one model, at the line and column of its template that wrote the SQL. */
function located(compiled: CompiledProject, name: string, problems: SqlProblem[], flags: RenderFlags): Diagnostic[] {
  const model = compiled.models.get(name)!;
  const file = compiled.project.models.find((f) => f.name === name);
  let at: (offset: number) => { line: number; column: number } | undefined = () => undefined;
  if (file) {
    try {
      const sites = templateSites(
        file.text,
        (ast) => compiled.renderer.compileAst(ast),
        (template) => compiled.renderer.render(template, file.relPath, { ...flags, schema: compiled.project.config.layers.find((l) => l.name === model.layer)?.schema }).sql,
      );
      const lead = sites.sql.length - sites.sql.trimStart().length;
      // Rendered again, the SQL must be the same, or positions would point elsewhere.
      if (sites.sql.trim() === model.sql) at = (offset) => sites.at(offset + lead);
    } catch {
      /* Handlebars' own tree not available (cannot happen after a clean compile): no position */
    }
  }
  return problems.map((p) => {
    const pos = at(p.offset);
    const parent = p.kind === 'missing-column' && p.relation?.kind === 'ref' ? compiled.models.get(p.relation.name) : undefined;
    const message = p.kind === 'syntax'
      ? `SQL ${p.message}`
      : parent ? `${p.message} (${parent.relPath} does not produce it)` : p.message;
    return { file: model.relPath, ...(pos ?? {}), node: name, message };
  });
}

/** A schema test on a column the model does not produce, or pointing at one its target does not. */
function schemaTestColumns(compiled: CompiledProject, analyses: ReadonlyMap<string, ModelAnalysis>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const produced = (model: string): Set<string> | undefined => {
    const cols = analyses.get(model)?.columns;
    return cols ? new Set(cols.map((c) => c.name)) : undefined;
  };
  for (const [name, doc] of compiled.project.docs) {
    const have = produced(name);
    for (const column of doc.columns) {
      for (const t of column.tests) {
        const where = { file: t.file, ...(t.line !== undefined ? { line: t.line } : {}), node: name };
        if (have && !have.has(column.name)) {
          out.push({ ...where, message: `test \`${t.kind}\` on \`${name}.${column.name}\`: model \`${name}\` does not produce column \`${column.name}\` (it produces ${[...have].join(', ')})` });
        }
        if (t.kind === 'relationships' && typeof t.args.to === 'string' && typeof t.args.field === 'string') {
          const there = produced(t.args.to) ?? seedColumns(compiled, t.args.to);
          if (there && !there.has(t.args.field)) {
            out.push({ ...where, message: `test \`relationships\` on \`${name}.${column.name}\`: \`${t.args.to}\` does not produce column \`${t.args.field}\` (it produces ${[...there].join(', ')})` });
          }
        }
      }
    }
  }
  return out;
}

function seedColumns(compiled: CompiledProject, name: string): Set<string> | undefined {
  const seed = compiled.project.seeds.find((s) => s.name === name);
  if (!seed) return undefined;
  try {
    return new Set(csvHeader(seed.path));
  } catch {
    return undefined;
  }
}

/** A snapshot keeps one history table: its columns must be known, its key and strategy columns among them. */
function snapshotColumns(compiled: CompiledProject, analyses: ReadonlyMap<string, ModelAnalysis>, skip: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const m of compiled.models.values()) {
    const config = m.config.snapshot;
    if (m.config.materialized !== 'snapshot' || !config || skip.has(m.relPath)) continue;
    const columns = analyses.get(m.name)?.columns;
    if (!columns) {
      out.push({ file: m.relPath, node: m.name, message: 'a snapshot must name its columns (no `*` over a relation whose columns are unknown): its history keeps one shape' });
      continue;
    }
    const names = new Set(columns.map((c) => c.name));
    const needed = [...m.config.uniqueKey, ...(config.strategy === 'timestamp' ? [config.updatedAt] : config.checkCols)];
    for (const c of needed) if (!names.has(c)) out.push({ file: m.relPath, node: m.name, message: `snapshot \`${m.name}\` does not produce column \`${c}\` named in its config` });
  }
  return out;
}
