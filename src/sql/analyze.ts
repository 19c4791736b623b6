/**
 * What a model's SQL says about its columns, from PostgreSQL's own parser: its output
 * columns (where they can be known), where each one comes from, every column it reads
 * from a model, seed or table (with the position, for diagnostics), and the mistakes the
 * known columns of its inputs reveal. Pure and synchronous: call
 * `loadSqlParser()` (sql/parser.ts) once before the first analysis.
 */
import type { ParseResult, SelectStmt } from 'libpg-query';
import { parseSqlOrError } from './parser.ts';
import { parseableSql, type ParseableSql, type Relation } from './model-sql.ts';
import { offsetMap } from './offsets.ts';
import { preservesRows } from './row-preserving.ts';
import { QueryAnalyzer, type Catalog, type ColumnReference, type SqlProblem } from './query-analyzer.ts';
import type { Lin, LineageKind, Origin } from './scope.ts';

export type { Catalog, CatalogColumn, ColumnReference, ProblemKind, SqlProblem } from './query-analyzer.ts';
export type { LineageKind } from './scope.ts';
export type { Relation } from './model-sql.ts';

/** An upstream column: a column of a model, seed or table. */
export type ColumnOrigin = Origin;

export interface ColumnLineage {
  /**
   * `copy`: the upstream value itself, renamed or not; `cast`: that value cast to another
   * type; `transform`: computed (from the sources, or from none: a constant).
   */
  kind: LineageKind;
  /** Every upstream column the value is computed from, in order of first use. */
  sources: ColumnOrigin[];
  /** Some inputs could not be resolved (a relation with unknown columns): `sources` is a part. */
  partial?: true;
}

export interface OutputColumn {
  name: string;
  /** As format_type prints it, when certain (casts, copies of typed columns, a few fixed results). */
  type?: string;
  /** Null when nothing is known of where it comes from. */
  lineage: ColumnLineage | null;
}

export interface ModelAnalysis {
  /** In order; null when they cannot all be known (a `*` over a relation of unknown columns). */
  columns: OutputColumn[] | null;
  /** Every model, seed or table read, where it is named. */
  relations: { relation: Relation; offset: number }[];
  /** Every column read from one of those, where it is written (`star` for `*` expansions). */
  references: ColumnReference[];
  problems: SqlProblem[];
  /** Each output row is one row of the single relation the SQL reads (sql/row-preserving.ts). */
  preservesRows?: true;
}

export interface AnalyzeOptions {
  /** `parseSql(parseableSql(sql).text)`, when the caller has parsed it already. */
  parsed?: ParseResult;
  /** `parseableSql(sql)`, when the caller has made it already. */
  parseable?: ParseableSql;
}

function lineageOf(lin: Lin): ColumnLineage | null {
  if (lin.unresolved && lin.sources.length === 0) return null;
  // Origins are one object per relation and column within an analysis (scope.ts originOf).
  const sources = [...new Set(lin.sources)];
  return { kind: lin.kind, sources, ...(lin.unresolved ? { partial: true as const } : {}) };
}

/**
 * Analyzes a rendered model: its SQL as compile renders it, refs still as placeholder
 * markers. `catalog` gives the columns of the relations it reads, or undefined when unknown.
 */
export function analyzeModel(rendered: string, catalog: Catalog, opts: AnalyzeOptions = {}): ModelAnalysis {
  const sql = opts.parseable ?? parseableSql(rendered);
  const offsets = offsetMap(rendered);
  const parsed = opts.parsed ?? parseSqlOrError(sql.text);
  if (parsed instanceof Error) {
    const offset = offsets.fromCodePoint(parsed.sqlDetails.cursorPosition ?? 0);
    return { columns: null, relations: [], references: [], problems: [{ kind: 'syntax', message: parsed.message, offset }] };
  }
  const analyzer = new QueryAnalyzer(sql, offsets, catalog);
  const stmts = parsed.stmts ?? [];
  const stmt = stmts.length === 1 ? (stmts[0]!.stmt as { SelectStmt?: SelectStmt } | undefined)?.SelectStmt : undefined;
  // Anything but one SELECT is for the caller to reject; there is nothing to learn here.
  if (!stmt) return { columns: null, relations: [], references: [], problems: [] };
  const shape = analyzer.select(stmt, null, null);

  // CREATE TABLE AS and CREATE VIEW refuse a column name given twice.
  const seen = new Set<string>();
  shape.cols.forEach((c, i) => {
    if (seen.has(c.name)) {
      analyzer.problems.push({ kind: 'duplicate-column', message: `column \`${c.name}\` is produced more than once; name each output column once`, offset: offsets.fromByte(shape.at[i] ?? 0), column: c.name });
    }
    seen.add(c.name);
  });
  return {
    columns: shape.complete
      ? shape.cols.map((c) => ({ name: c.name, ...(c.lin.type !== undefined ? { type: c.lin.type } : {}), lineage: lineageOf(c.lin) }))
      : null,
    relations: analyzer.relations,
    references: analyzer.references,
    problems: analyzer.problems,
    ...(preservesRows(stmt) ? { preservesRows: true as const } : {}),
  };
}
