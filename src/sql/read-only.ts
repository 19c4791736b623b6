/**
 * A model is one query that reads: exactly one SELECT (or WITH … SELECT), with no
 * data-modifying CTE (`with gone as (delete … returning *) select …`), no SELECT INTO (it
 * creates a table) and no FOR UPDATE / FOR SHARE (it locks the rows of the tables it reads,
 * the shop's included). Decided by PostgreSQL's own parser (libpg-query), never a regex.
 * Pure and synchronous: `loadSqlParser()` (sql/parser.ts) must have run once before. The parse
 * is returned with the verdict, so the column analysis (compile/comprehend.ts) reads the
 * same tree instead of parsing each model twice.
 */
import type { ParseResult } from 'libpg-query';
import type { AnalyzeOptions } from './analyze.ts';
import { parseSqlOrError } from './parser.ts';
import { parseableSql, type ParseableSql } from './model-sql.ts';
import { offsetMap, type OffsetMap } from './offsets.ts';

export interface ReadOnlyProblem {
  message: string;
  /** String index in the rendered SQL where the offending part starts. */
  offset: number;
}

const WRITES: Record<string, string> = {
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
};

type Node = Record<string, unknown>;

/**
 * Every node the walk below looks for is written with one of these keywords (INSERT, UPDATE,
 * DELETE or MERGE in a WITH clause, SELECT INTO, FOR UPDATE / NO KEY UPDATE / SHARE / KEY
 * SHARE), as a word of its own: a keyword never touches a letter, digit, `_` or `$` of an
 * identifier. SQL without any of them cannot hold such a node, and its tree is not walked
 * (the walk was a fifth of compiling a large project). A word in a comment, string or quoted
 * name only means the tree is walked: the parser still decides.
 */
const WRITING_WORD = /(?<![\w$\u0080-\uffff])(?:insert|update|delete|merge|into|share)(?![\w$\u0080-\uffff])/i;

/** The first node in the tree for which `test` gives a message, depth first, with the nearest location seen. */
function findInTree(node: unknown, test: (key: string, value: Node) => string | null, near = 0): { message: string; location: number } | null {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findInTree(item, test, near);
      if (found) return found;
    }
    return null;
  }
  if (typeof node !== 'object' || node === null) return null;
  const obj = node as Node;
  const here = typeof obj.location === 'number' && obj.location >= 0 ? obj.location : near;
  for (const [key, value] of Object.entries(obj)) {
    if (typeof value !== 'object' || value === null) continue;
    const message = Array.isArray(value) ? null : test(key, value as Node);
    if (message) {
      const loc = (value as Node).location;
      return { message, location: typeof loc === 'number' && loc >= 0 ? loc : here };
    }
    const found = findInTree(value, test, here);
    if (found) return found;
  }
  return null;
}

const statementName = (stmt: Node | undefined): string =>
  stmt ? Object.keys(stmt)[0]!.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase() : 'nothing';

/** Why the rendered model is not one reading query, or null when it is. */
export function readOnlyProblem(rendered: string): ReadOnlyProblem | null {
  return readModel(rendered).problem;
}

/**
 * The model's parse tree (unless it does not parse), and why it is not one reading query, or
 * null. `made`: what was made of `rendered` elsewhere already, as the analysis takes it
 * (`parseableSql(rendered)` and the parser's tree of its text).
 */
export function readModel(rendered: string, made: AnalyzeOptions = {}): { parsed?: ParseResult; parseable: ParseableSql; problem: ReadOnlyProblem | null } {
  const sql = made.parseable ?? parseableSql(rendered);
  const offsets = offsetMap(rendered);
  const parsed = made.parsed ?? parseSqlOrError(sql.text);
  // What the parser cannot read is not run: it cannot be shown to be a query that only reads.
  if (parsed instanceof Error) return { parseable: sql, problem: { message: `SQL ${parsed.message}`, offset: offsets.fromCodePoint(parsed.sqlDetails.cursorPosition ?? 0) } };
  return { parsed, parseable: sql, problem: statementProblem(rendered, parsed, offsets) };
}

function statementProblem(rendered: string, parsed: ParseResult, offsets: OffsetMap): ReadOnlyProblem | null {
  const stmts = parsed.stmts ?? [];
  const lead = rendered.length - rendered.trimStart().length;
  if (stmts.length !== 1) {
    const second = stmts[1];
    return {
      message: stmts.length === 0
        ? 'a model is one SELECT (or WITH … SELECT); found no statement'
        : `a model is one SELECT (or WITH … SELECT); found ${stmts.length} statements (the second is ${statementName(second?.stmt as Node | undefined)})`,
      offset: second ? offsets.fromByte(second.stmt_location ?? 0) : lead,
    };
  }
  const stmt = stmts[0]!.stmt as Node;
  if (!('SelectStmt' in stmt)) {
    return { message: `a model is one SELECT (or WITH … SELECT); found a ${statementName(stmt)} statement`, offset: lead };
  }
  if (!WRITING_WORD.test(rendered)) return null;
  const found = findInTree(stmt, (key, value) => {
    if (WRITES[key]) return `a model only reads, but it contains a data-modifying ${WRITES[key]} (in a WITH clause); a model is one SELECT that writes nothing`;
    if (key === 'SelectStmt' && value.intoClause) return 'SELECT INTO creates a table; a model is one SELECT, and strata creates its table';
    if (key === 'SelectStmt' && Array.isArray(value.lockingClause) && value.lockingClause.length > 0) {
      return 'FOR UPDATE / FOR SHARE locks the rows it reads (the shop\'s rows too); a model only reads';
    }
    return null;
  });
  return found ? { message: found.message, offset: offsets.fromByte(found.location) } : null;
}
