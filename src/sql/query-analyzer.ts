/**
 * One walk over a parsed SELECT that learns, the way PostgreSQL's analyzer would, what each
 * name refers to: the query's output columns, what every output column derives from, every
 * column read from a relation (with its position), and the mistakes a known catalog
 * reveals. What cannot be known (a relation without known columns, a function whose result
 * shape is unknown) is carried as unknown, never guessed.
 */
import type {
  A_Const, Alias, ColumnDef, ColumnRef, CommonTableExpr, FuncCall, JoinExpr, Node, RangeFunction, RangeSubselect,
  RangeVar, ResTarget, SelectStmt, SubLink, TypeName, WindowDef, WithClause,
} from 'libpg-query';
import {
  constType, figureColname, FIXED_RESULT, isPredicate, sqlValueFunctionType, stringOf, unwrap,
} from './column-names.ts';
import { relationKey, relationLabel, type ParseableSql, type Relation } from './model-sql.ts';
import type { OffsetMap } from './offsets.ts';
import {
  baseSource, copyOf, findSource, KIND_RANK, lookup, resolveColumn, UNRESOLVED,
  type Col, type Level, type LineageKind, type Lin, type Lookup, type Origin, type Source,
} from './scope.ts';
import { formatTypeName } from './type-names.ts';

type Body = Record<string, unknown>;

export interface CatalogColumn {
  name: string;
  /** As format_type prints it (`bigint`, `numeric(10,2)`), when known. */
  type?: string | undefined;
}
/** A relation's columns in order, or undefined when they are not known. */
export type Catalog = (relation: Relation) => readonly CatalogColumn[] | undefined;

export type ProblemKind =
  /** `statement`: not one reading SELECT (sql/read-only.ts), syntax errors included. */
  | 'statement' | 'syntax' | 'missing-column' | 'ambiguous-column' | 'unknown-column' | 'missing-relation'
  | 'column-count' | 'duplicate-column' | 'duplicate-relation';

export interface SqlProblem {
  kind: ProblemKind;
  message: string;
  /** Index into the rendered SQL. */
  offset: number;
  /** For a missing column: the model, seed or table that does not have it. */
  relation?: Relation;
  column?: string;
}

export interface ColumnReference {
  relation: Relation;
  column: string;
  /** Index into the rendered SQL where the reference is written. */
  offset: number;
  /** Read through `*` or `t.*` rather than by name. */
  star?: true;
}

/** What a SELECT produces. */
export interface Shape {
  cols: Col[];
  complete: boolean;
  open: Source[];
  /** Byte location of the select-list item behind each column. */
  at: number[];
}

interface CteDef {
  name: string;
  node: CommonTableExpr;
  state: 'pending' | 'busy' | 'done';
  frame: Ctes;
  level: Level | null;
  shape?: Shape;
  /** While a recursive CTE's recursive term is analyzed: what a self-reference sees. */
  self?: Shape;
}
interface Ctes {
  defs: Map<string, CteDef>;
  recursive: boolean;
  parent: Ctes | null;
}
/** Where an expression is evaluated. */
interface Scope {
  level: Level;
  ctes: Ctes | null;
  windows: Map<string, Lin> | null;
}

const EMPTY_LEVEL_ITEMS: Source[] = [];
/** A NULL literal: text when alone, the others' type among CASE or COALESCE results. */
const NULL_LIN: Lin = Object.freeze({ kind: 'transform', sources: [], unresolved: false, type: 'text' }) as Lin;
/** Set-returning functions whose one column is not a named OUT parameter. */
const SCALAR_SRF = new Set(['unnest', 'generate_series', 'generate_subscripts', 'regexp_split_to_table', 'string_to_table', 'regexp_matches', 'json_object_keys', 'jsonb_object_keys']);
/** Set-returning functions with named OUT parameters: their columns. */
const OUT_COLUMNS: Record<string, string[]> = {
  json_array_elements: ['value'], jsonb_array_elements: ['value'], json_array_elements_text: ['value'], jsonb_array_elements_text: ['value'],
  json_each: ['key', 'value'], jsonb_each: ['key', 'value'], json_each_text: ['key', 'value'], jsonb_each_text: ['key', 'value'],
};

const names = (list: readonly Node[] | undefined): string[] => (list ?? []).map((n) => stringOf(n) ?? '');
const maxKind = (a: LineageKind, b: LineageKind): LineageKind => (KIND_RANK[a] >= KIND_RANK[b] ? a : b);
const isNode = (v: unknown): boolean => {
  for (const k in v as Body) {
    const c = k.charCodeAt(0);
    return c >= 65 && c <= 90;
  }
  return false;
};

/** Lineage being gathered from several inputs: a transformation of all of them. */
class Gather {
  sources: Origin[] = [];
  unresolved = false;
  add(l: Lin): void {
    for (const s of l.sources) this.sources.push(s);
    if (l.unresolved) this.unresolved = true;
  }
  lin(type?: string): Lin {
    return { kind: 'transform', sources: this.sources, unresolved: this.unresolved, type };
  }
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
function suggestion(name: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const d = distance(name, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best ? ` (did you mean \`${best}\`?)` : '';
}

export class QueryAnalyzer {
  readonly relations: { relation: Relation; offset: number }[] = [];
  readonly references: ColumnReference[] = [];
  readonly problems: SqlProblem[] = [];
  private readonly catalogCache = new Map<Relation, readonly CatalogColumn[] | undefined>();
  private readonly relationObjects = new Map<string, Relation>();
  /** While an EXISTS is analyzed: every column read (what its value depends on). */
  private reads: Origin[] | null = null;
  /** Stand-ins for a recursive CTE's own columns while its recursive branch is analyzed. */
  private readonly selfRelations = new WeakSet<Relation>();
  private readonly sublinks = new WeakMap<object, Shape>();
  private readonly subqueryName = (sublink: Body): string | undefined => this.sublinks.get(sublink)?.cols[0]?.name;

  constructor(
    private readonly sql: ParseableSql,
    private readonly offsets: OffsetMap,
    private readonly catalog: Catalog,
  ) {}

  // ---- queries ----

  select(stmt: SelectStmt, parent: Level | null, outerCtes: Ctes | null): Shape {
    const ctes = stmt.withClause ? this.withClause(stmt.withClause, parent, outerCtes) : outerCtes;
    if (stmt.op && stmt.op !== 'SETOP_NONE') return this.setOperation(stmt, parent, ctes);
    const level: Level = { items: [], parent };
    const sc: Scope = { level, ctes, windows: null };
    if (stmt.valuesLists) return this.values(stmt.valuesLists, sc);
    this.fromList(stmt.fromClause ?? [], level, ctes);
    if (stmt.windowClause) sc.windows = this.windows(stmt.windowClause, sc);
    const shape: Shape = { cols: [], complete: true, open: [], at: [] };
    for (const t of stmt.targetList ?? []) this.target((t as { ResTarget: ResTarget }).ResTarget, sc, shape);
    if (stmt.whereClause) this.expr(stmt.whereClause, sc);
    const outputNames = new Set(shape.cols.map((c) => c.name));
    for (const g of stmt.groupClause ?? []) this.groupItem(g, sc, outputNames);
    if (stmt.havingClause) this.expr(stmt.havingClause, sc);
    for (const d of stmt.distinctClause ?? []) this.sortItem(d, sc, outputNames);
    for (const s of stmt.sortClause ?? []) this.sortItem((s as { SortBy: { node?: Node } }).SortBy.node, sc, outputNames);
    if (stmt.limitOffset) this.expr(stmt.limitOffset, sc);
    if (stmt.limitCount) this.expr(stmt.limitCount, sc);
    return shape;
  }

  private setOperation(stmt: SelectStmt, parent: Level | null, ctes: Ctes | null): Shape {
    const left = this.select(stmt.larg!, parent, ctes);
    const right = this.select(stmt.rarg!, parent, ctes);
    if (left.complete && right.complete && left.cols.length !== right.cols.length) {
      this.problem('column-count', `each ${stmt.op!.slice(6)} query must have the same number of columns: ${left.cols.length} and ${right.cols.length}`, right.at[0] ?? left.at[0] ?? 0);
    }
    const cols = left.cols.map((c, i): Col => {
      const other = right.complete ? right.cols[i] : undefined;
      const lin = other ? this.union(c.lin, other.lin) : { ...c.lin, unresolved: true };
      lin.type = other && other.lin.type === c.lin.type ? c.lin.type : undefined;
      return { name: c.name, lin };
    });
    const sc: Scope = { level: { items: EMPTY_LEVEL_ITEMS, parent }, ctes, windows: null };
    if (stmt.limitOffset) this.expr(stmt.limitOffset, sc);
    if (stmt.limitCount) this.expr(stmt.limitCount, sc);
    return { cols, complete: left.complete, open: left.open, at: left.at };
  }

  private values(lists: Node[], sc: Scope): Shape {
    const rows = lists.map((l) => (l as { List: { items?: Node[] } }).List.items ?? []);
    const cols: Col[] = [];
    rows.forEach((row) => row.forEach((cell, i) => {
      const lin = this.expr(cell, sc);
      const col = cols[i];
      if (!col) cols.push({ name: `column${i + 1}`, lin: { ...lin } });
      else col.lin = { ...this.union(col.lin, lin), type: col.lin.type === lin.type ? lin.type : undefined };
    }));
    return { cols, complete: true, open: [], at: cols.map(() => 0) };
  }

  /** Lineage of a value that is one of several (UNION branches, VALUES rows). */
  private union(a: Lin, b: Lin): Lin {
    return { kind: maxKind(a.kind, b.kind), sources: [...a.sources, ...b.sources], unresolved: a.unresolved || b.unresolved };
  }

  private target(rt: ResTarget, sc: Scope, shape: Shape): void {
    const [tag, body] = unwrap(rt.val);
    const fields = tag === 'ColumnRef' ? (body as ColumnRef).fields! : undefined;
    if (fields && 'A_Star' in fields.at(-1)!) {
      this.expandStar(fields, (body as ColumnRef).location ?? 0, sc, shape);
      return;
    }
    const lin = this.expr(rt.val, sc);
    shape.cols.push({ name: rt.name ?? figureColname(rt.val, this.subqueryName), lin });
    shape.at.push(rt.location ?? 0);
  }

  private expandStar(fields: Node[], location: number, sc: Scope, shape: Shape): void {
    const qualifier = names(fields.slice(0, -1));
    let sources: Source[];
    if (qualifier.length === 0) {
      sources = sc.level.items.filter((s) => s.colsVisible);
      if (sources.length === 0) this.problem('missing-relation', 'SELECT * with no tables specified is not valid', location);
    } else {
      const s = this.qualifiedSource(sc.level, qualifier, location);
      sources = s ? [s] : [];
      if (!s) shape.complete = false;
    }
    const offset = this.offsets.fromByte(location);
    for (const s of sources) {
      for (const c of s.cols) {
        shape.cols.push({ name: c.name, lin: c.lin });
        shape.at.push(location);
        if (c.base) this.references.push({ relation: c.base.relation, column: c.base.column, offset, star: true });
        this.read(c.lin);
      }
      if (!s.complete) {
        shape.complete = false;
        shape.open.push(s);
      }
    }
  }

  private groupItem(node: Node, sc: Scope, outputNames: ReadonlySet<string>): void {
    const [tag, body] = unwrap(node);
    if (tag === 'A_Const') return; // an ordinal
    if (tag === 'GroupingSet') {
      for (const n of (body.content as Node[] | undefined) ?? []) this.groupItem(n, sc, outputNames);
      return;
    }
    // GROUP BY prefers an input column and falls back to an output name (SQL99).
    const name = this.bareName(tag, body);
    if (name !== undefined && outputNames.has(name) && resolveColumn(sc.level, name) === 'missing') return;
    this.expr(node, sc);
  }

  /** ORDER BY and DISTINCT ON prefer an output column name (SQL92), then input expressions. */
  private sortItem(node: Node | undefined, sc: Scope, outputNames: ReadonlySet<string>): void {
    if (!node) return;
    const [tag, body] = unwrap(node);
    if (tag === 'A_Const') return;
    const name = this.bareName(tag, body);
    if (name !== undefined && outputNames.has(name)) return;
    this.expr(node, sc);
  }

  private bareName(tag: string, body: Body): string | undefined {
    const fields = tag === 'ColumnRef' ? (body as ColumnRef).fields! : undefined;
    return fields?.length === 1 ? stringOf(fields[0]) : undefined;
  }

  private windows(defs: Node[], sc: Scope): Map<string, Lin> {
    const map = new Map<string, Lin>();
    for (const d of defs) {
      const w = (d as { WindowDef: WindowDef }).WindowDef;
      map.set(w.name ?? '', this.windowLin(w, sc, map));
    }
    return map;
  }

  private windowLin(w: WindowDef, sc: Scope, named: ReadonlyMap<string, Lin> | null): Lin {
    const g = new Gather();
    if (w.refname) g.add(named?.get(w.refname) ?? UNRESOLVED);
    for (const n of w.partitionClause ?? []) g.add(this.expr(n, sc));
    for (const n of w.orderClause ?? []) g.add(this.expr(n, sc));
    if (w.startOffset) g.add(this.expr(w.startOffset, sc));
    if (w.endOffset) g.add(this.expr(w.endOffset, sc));
    return g.lin();
  }

  // ---- WITH ----

  private withClause(w: WithClause, level: Level | null, parent: Ctes | null): Ctes {
    const frame: Ctes = { defs: new Map(), recursive: w.recursive === true, parent };
    for (const c of w.ctes ?? []) {
      const node = (c as { CommonTableExpr: CommonTableExpr }).CommonTableExpr;
      frame.defs.set(node.ctename!, { name: node.ctename!, node, state: 'pending', frame, level });
    }
    for (const def of frame.defs.values()) if (def.state === 'pending') this.analyzeCte(def);
    return frame;
  }

  private findCte(ctes: Ctes | null, name: string): CteDef | undefined {
    for (let f = ctes; f; f = f.parent) {
      const def = f.defs.get(name);
      // Without RECURSIVE a CTE sees only the ones defined before it.
      if (def && (f.recursive || def.state === 'done')) return def;
    }
    return undefined;
  }

  private analyzeCte(def: CteDef): void {
    def.state = 'busy';
    const [tag, query] = unwrap(def.node.ctequery);
    let shape: Shape;
    if (tag !== 'SelectStmt') shape = { cols: [], complete: false, open: [], at: [] };
    else {
      const stmt = query as SelectStmt;
      shape = def.frame.recursive && stmt.op === 'SETOP_UNION' ? this.recursiveCte(def, stmt) : this.select(stmt, def.level, def.frame);
    }
    def.shape = this.withSearchAndCycle(this.renamed(shape, names(def.node.aliascolnames), def.name, def.node.location ?? 0), def.node);
    def.state = 'done';
  }

  /** SEARCH … SET col and CYCLE … SET mark USING path add columns computed from the listed ones. */
  private withSearchAndCycle(shape: Shape, cte: CommonTableExpr): Shape {
    const search = cte.search_clause;
    const cycle = cte.cycle_clause;
    if (!search && !cycle) return shape;
    const from = (list: Node[] | undefined): Lin => {
      const g = new Gather();
      for (const name of names(list)) {
        const found = shape.cols.find((c) => c.name === name);
        g.add(found ? found.lin : UNRESOLVED);
      }
      return g.lin();
    };
    const cols = [...shape.cols];
    if (search?.search_seq_column) cols.push({ name: search.search_seq_column, lin: from(search.search_col_list) });
    if (cycle?.cycle_mark_column) cols.push({ name: cycle.cycle_mark_column, lin: from(cycle.cycle_col_list) });
    if (cycle?.cycle_path_column) cols.push({ name: cycle.cycle_path_column, lin: from(cycle.cycle_col_list) });
    return { ...shape, cols };
  }

  /**
   * `non-recursive UNION recursive`: the columns come from the first branch; a column's
   * lineage is its own in both branches plus, transitively, that of every column of the
   * CTE its recursive branch reads.
   */
  private recursiveCte(def: CteDef, stmt: SelectStmt): Shape {
    const ctes = stmt.withClause ? this.withClause(stmt.withClause, def.level, def.frame) : def.frame;
    const first = this.renamed(this.select(stmt.larg!, def.level, ctes), names(def.node.aliascolnames), def.name, def.node.location ?? 0);
    const self: Relation = { kind: 'table', schema: null, name: def.name };
    this.selfRelations.add(self);
    def.self = { ...first, cols: first.cols.map((c, i) => ({ name: c.name, lin: { ...copyOf(self, String(i)), type: c.lin.type } })) };
    const second = this.select(stmt.rarg!, def.level, ctes);
    const final = first.cols.map((c) => ({ kind: c.lin.kind, unresolved: c.lin.unresolved || !second.complete, keys: new Map<string, Origin>(), deps: [] as number[] }));
    first.cols.forEach((c, i) => {
      const f = final[i]!;
      for (const o of c.lin.sources) f.keys.set(`${relationKey(o.relation)}\0${o.column}`, o);
      const r = second.cols[i];
      if (!r) return;
      f.kind = maxKind(f.kind, r.lin.kind);
      if (r.lin.unresolved) f.unresolved = true;
      for (const o of r.lin.sources) {
        if (o.relation === self) f.deps.push(Number(o.column));
        else f.keys.set(`${relationKey(o.relation)}\0${o.column}`, o);
      }
    });
    for (let changed = true; changed; ) {
      changed = false;
      for (const f of final) {
        for (const d of f.deps) {
          const g = final[d]!;
          for (const [k, o] of g.keys) if (!f.keys.has(k)) (f.keys.set(k, o), (changed = true));
          if (KIND_RANK[g.kind] > KIND_RANK[f.kind]) (f.kind = g.kind), (changed = true);
          if (g.unresolved && !f.unresolved) (f.unresolved = true), (changed = true);
        }
      }
    }
    def.self = undefined;
    return {
      ...first,
      cols: first.cols.map((c, i) => ({ name: c.name, lin: { kind: final[i]!.kind, sources: [...final[i]!.keys.values()], unresolved: final[i]!.unresolved, type: c.lin.type } })),
    };
  }

  /** Column aliases (`as t(a, b)`, `cte(a, b)`) rename the first columns. */
  private renamed<T extends { cols: Col[]; complete: boolean; open: Source[] }>(shape: T, aliases: string[], what: string, location: number): T {
    if (aliases.length === 0) return shape;
    if (!shape.complete) {
      // Which columns the aliases rename is unknown: only the aliases themselves are known.
      return { ...shape, cols: aliases.map((name) => ({ name, lin: UNRESOLVED })), open: [] };
    }
    if (aliases.length > shape.cols.length) {
      this.problem('column-count', `\`${what}\` has ${shape.cols.length} columns available but ${aliases.length} columns specified`, location);
    }
    return { ...shape, cols: shape.cols.map((c, i) => (i < aliases.length ? { ...c, name: aliases[i]! } : c)) };
  }

  // ---- FROM ----

  private fromList(items: Node[], level: Level, ctes: Ctes | null): void {
    const visible: Source[] = [];
    for (const item of items) {
      const ns = this.fromItem(item, level.parent, visible, ctes).ns;
      level.items.push(...ns);
      visible.push(...ns);
    }
    this.checkNames(level.items, items);
  }

  /** Two FROM items of one level may not share a name (unless both are unaliased tables of different schemas). */
  private checkNames(items: readonly Source[], nodes: Node[]): void {
    if (items.length < 2) return;
    const named = items.filter((s) => s.relVisible && s.alias !== null);
    for (let i = 1; i < named.length; i++) {
      const s = named[i]!;
      const clash = named.slice(0, i).find((o) => o.alias === s.alias && !(o.base && s.base && o.schema !== null && s.schema !== null && o.schema !== s.schema));
      if (clash) this.problem('duplicate-relation', `table name \`${s.alias}\` specified more than once in FROM; give one of them an alias`, this.firstLocation(nodes));
    }
  }

  /** A FROM item: the relation it yields and the namespace entries it adds. */
  private fromItem(node: Node, outer: Level | null, visible: readonly Source[], ctes: Ctes | null): { rel: Source; ns: Source[] } {
    const [tag, body] = unwrap(node);
    let rel: Source;
    switch (tag) {
      case 'RangeVar':
        rel = this.rangeVar(body as RangeVar, ctes);
        break;
      case 'RangeSubselect': {
        const b = body as RangeSubselect;
        const parent = b.lateral ? { items: [...visible], parent: outer } : outer;
        const shape = this.select((b.subquery as { SelectStmt: SelectStmt }).SelectStmt, parent, ctes);
        rel = this.derived(shape, b.alias, shape.at[0] ?? 0);
        break;
      }
      case 'RangeFunction':
        rel = this.rangeFunction(body as RangeFunction, { items: [...visible], parent: outer }, ctes);
        break;
      case 'JoinExpr':
        return this.join(body as JoinExpr, outer, visible, ctes);
      case 'RangeTableSample': {
        const inner = this.fromItem(body.relation as Node, outer, visible, ctes);
        const sc: Scope = { level: { items: [...visible], parent: outer }, ctes, windows: null };
        for (const a of (body.args as Node[] | undefined) ?? []) this.expr(a, sc);
        return inner;
      }
      default: {
        // XMLTABLE, JSON_TABLE: columns unknown to this analysis.
        const alias = body.alias as Alias | undefined;
        rel = { alias: alias?.aliasname ?? null, schema: null, relVisible: !!alias, colsVisible: true, base: null, cols: [], complete: false, open: [] };
      }
    }
    return { rel, ns: [rel] };
  }

  private derived(shape: Shape, alias: Alias | undefined, location: number): Source {
    const s = this.renamed(shape, names(alias?.colnames), alias?.aliasname ?? 'subquery', location);
    return { alias: alias?.aliasname ?? null, schema: null, relVisible: !!alias, colsVisible: true, base: null, cols: s.cols, complete: s.complete, open: s.open };
  }

  private rangeVar(rv: RangeVar, ctes: Ctes | null): Source {
    const location = rv.location ?? 0;
    const offset = this.offsets.fromByte(location);
    const marker = this.sql.relationAt(offset);
    if (!marker && !rv.schemaname) {
      const def = this.findCte(ctes, rv.relname!);
      if (def) {
        if (def.state === 'pending') this.analyzeCte(def);
        const shape = def.shape ?? def.self ?? { cols: [], complete: false, open: [], at: [] };
        return { ...this.derived(shape, rv.alias ?? { aliasname: def.name }, location), relVisible: true };
      }
    }
    const relation = this.relation(marker ?? { kind: 'table', schema: rv.schemaname ?? null, name: rv.relname! });
    this.relations.push({ relation, offset });
    const alias = rv.alias?.aliasname;
    const source = baseSource(relation, alias ?? rv.relname!, alias ? null : (rv.schemaname ?? null), this.columnsOf(relation));
    const aliases = names(rv.alias?.colnames);
    if (aliases.length === 0) return source;
    const renamed = this.renamed(source, aliases, alias ?? relationLabel(relation), location);
    return { ...renamed, base: renamed.complete ? source.base : null };
  }

  /** One object per relation, so lineage can tell origins apart by identity. */
  private relation(r: Relation): Relation {
    const key = relationKey(r);
    let known = this.relationObjects.get(key);
    if (!known) this.relationObjects.set(key, (known = r));
    return known;
  }

  private columnsOf(relation: Relation): readonly CatalogColumn[] | undefined {
    if (!this.catalogCache.has(relation)) this.catalogCache.set(relation, this.catalog(relation));
    return this.catalogCache.get(relation);
  }

  private rangeFunction(rf: RangeFunction, lateral: Level, ctes: Ctes | null): Source {
    const sc: Scope = { level: lateral, ctes, windows: null };
    const calls = (rf.functions ?? []).map((f) => (f as { List: { items: Node[] } }).List.items);
    const cols: Col[] = [];
    let complete = true;
    let firstName: string | undefined;
    let location = 0;
    for (const [call, defs] of calls) {
      const [tag, body] = unwrap(call);
      const fc = tag === 'FuncCall' ? (body as FuncCall) : undefined;
      const fname = fc ? stringOf(fc.funcname!.at(-1)) : undefined;
      firstName ??= fname ?? 'function';
      location ||= fc?.location ?? 0;
      const args = fc?.args ?? [];
      const columnDefs = (defs as { List?: { items: Node[] } }).List?.items ?? (calls.length === 1 ? rf.coldeflist : undefined);
      if (fname === 'unnest' && !columnDefs && args.length > 0) {
        // unnest(a, b, …) is one column per array, each named unnest (or the alias when alone)
        const one = calls.length === 1 && args.length === 1;
        for (const a of args) {
          const lin = this.expr(a, sc);
          const element = lin.type?.endsWith('[]') ? lin.type.slice(0, -2) : undefined;
          cols.push({ name: one ? (rf.alias?.aliasname ?? 'unnest') : 'unnest', lin: { kind: 'transform', sources: lin.sources, unresolved: lin.unresolved, type: element } });
        }
        continue;
      }
      const lin = this.expr(call, sc);
      const derivedLin: Lin = { kind: 'transform', sources: lin.sources, unresolved: lin.unresolved };
      if (columnDefs) {
        for (const d of columnDefs) {
          const cd = (d as { ColumnDef: ColumnDef }).ColumnDef;
          cols.push({ name: cd.colname!, lin: { ...derivedLin, type: formatTypeName(cd.typeName as TypeName) } });
        }
      } else if (fname && fname in OUT_COLUMNS) {
        for (const name of OUT_COLUMNS[fname]!) cols.push({ name, lin: derivedLin });
      } else if (fname && SCALAR_SRF.has(fname)) {
        cols.push({ name: calls.length === 1 ? (rf.alias?.aliasname ?? fname) : fname, lin: derivedLin });
      } else {
        complete = false;
        // Columns named by an alias still derive from this call's arguments.
        if (calls.length === 1) for (const name of names(rf.alias?.colnames)) cols.push({ name, lin: { ...derivedLin, unresolved: true } });
      }
    }
    if (rf.ordinality && complete) cols.push({ name: 'ordinality', lin: { kind: 'transform', sources: [], unresolved: false, type: 'bigint' } });
    const alias = rf.alias?.aliasname ?? firstName ?? 'function';
    const source: Source = { alias, schema: null, relVisible: true, colsVisible: true, base: null, cols, complete, open: [] };
    if (!complete) return source;
    const renamed = this.renamed(source, names(rf.alias?.colnames), alias, location);
    return renamed;
  }

  private join(j: JoinExpr, outer: Level | null, visible: readonly Source[], ctes: Ctes | null): { rel: Source; ns: Source[] } {
    const left = this.fromItem(j.larg!, outer, visible, ctes);
    const right = this.fromItem(j.rarg!, outer, [...visible, ...left.ns], ctes);
    if (j.quals) this.expr(j.quals, { level: { items: [...left.ns, ...right.ns], parent: outer }, ctes, windows: null });
    const l = left.rel;
    const r = right.rel;
    const type = j.jointype ?? 'JOIN_INNER';
    let using = names(j.usingClause);
    let rel: Source;
    if (j.isNatural && !(l.complete && r.complete)) {
      rel = { alias: null, schema: null, relVisible: false, colsVisible: true, base: null, cols: [], complete: false, open: [] };
      using = [];
    } else {
      if (j.isNatural) using = [...new Set(l.cols.map((c) => c.name).filter((n) => r.cols.some((c) => c.name === n)))];
      const merged = using.map((name) => this.mergedColumn(name, l, r, type, j));
      const rest = (s: Source): Col[] => {
        const drop = new Set(using);
        return s.cols.filter((c) => !drop.delete(c.name));
      };
      rel = {
        alias: null, schema: null, relVisible: false, colsVisible: true, base: null,
        cols: [...merged, ...(l.complete ? rest(l) : []), ...(r.complete ? rest(r) : [])],
        complete: l.complete && r.complete,
        open: [l, r].filter((s) => !s.complete),
      };
    }
    let ns: Source[];
    if (j.alias) {
      rel = { ...this.renamed(rel, names(j.alias.colnames), j.alias.aliasname!, 0), alias: j.alias.aliasname!, relVisible: true };
      ns = [rel];
    } else {
      for (const s of [...left.ns, ...right.ns]) s.colsVisible = false;
      ns = [...left.ns, ...right.ns, rel];
    }
    if (j.join_using_alias) {
      const cols = rel.cols.slice(0, using.length);
      ns.push({ alias: j.join_using_alias.aliasname!, schema: null, relVisible: true, colsVisible: false, base: null, cols, complete: true, open: [] });
    }
    return { rel, ns };
  }

  /** A USING column: one column whose value is the left one, the right one, or both merged. */
  private mergedColumn(name: string, l: Source, r: Source, type: string, j: JoinExpr): Col {
    const side = (s: Source, node: Node, which: string): Lin => {
      const location = this.firstLocation(node);
      const found = lookup(s, name);
      if (found === 'missing') {
        this.problem('missing-column', `column \`${name}\` specified in USING does not exist in the ${which} side${s.base ? ` (${relationLabel(s.base)})` : ''}`, location, s.base ?? undefined, name);
        return UNRESOLVED;
      }
      if (typeof found === 'string') return UNRESOLVED;
      const base = found.col.base;
      if (base) this.references.push({ relation: base.relation, column: base.column, offset: this.offsets.fromByte(location) });
      return found.col.lin;
    };
    const ll = side(l, j.larg!, 'left');
    const rl = side(r, j.rarg!, 'right');
    const sameType = ll.type === rl.type ? ll.type : undefined;
    if (type === 'JOIN_FULL') return { name, lin: { kind: 'transform', sources: [...ll.sources, ...rl.sources], unresolved: ll.unresolved || rl.unresolved, type: sameType } };
    const chosen = type === 'JOIN_RIGHT' ? rl : ll;
    return { name, lin: { ...chosen, type: sameType } };
  }

  private firstLocation(node: unknown): number {
    if (!node || typeof node !== 'object') return 0;
    const loc = (node as Body).location;
    if (typeof loc === 'number') return loc;
    for (const k in node as Body) {
      const found = this.firstLocation((node as Body)[k]);
      if (found) return found;
    }
    return 0;
  }

  // ---- expressions ----

  expr(node: unknown, sc: Scope): Lin {
    const [tag, b] = unwrap(node);
    switch (tag) {
      case 'ColumnRef':
        return this.columnRef(b as ColumnRef, sc);
      case 'TypeCast': {
        const inner = this.expr(b.arg, sc);
        const type = formatTypeName(b.typeName as TypeName);
        return { kind: inner.kind === 'transform' ? 'transform' : 'cast', sources: inner.sources, unresolved: inner.unresolved, type };
      }
      case 'A_Const':
        return (b as A_Const).isnull ? NULL_LIN : { kind: 'transform', sources: [], unresolved: false, type: constType(b as A_Const) };
      case 'SubLink':
        return this.sublink(b as SubLink, sc);
      case 'FuncCall':
        return this.funcCall(b as FuncCall, sc);
      case 'CaseExpr':
      case 'CoalesceExpr':
      case 'MinMaxExpr':
        return this.branches(tag, b, sc);
      default: {
        const g = new Gather();
        this.walk(b, sc, g);
        let type: string | undefined;
        if (tag === 'BoolExpr' || tag === 'NullTest' || tag === 'BooleanTest' || (tag === 'A_Expr' && isPredicate(b))) type = 'boolean';
        else if (tag === 'SQLValueFunction') type = sqlValueFunctionType(b.op as string);
        return g.lin(type);
      }
    }
  }

  /** Every expression inside a node's fields. */
  private walk(body: unknown, sc: Scope, g: Gather): void {
    for (const k in body as Body) {
      const v = (body as Body)[k];
      if (typeof v !== 'object' || v === null) continue;
      if (Array.isArray(v)) {
        for (const item of v) {
          if (isNode(item)) g.add(this.expr(item, sc));
          else if (typeof item === 'object' && item !== null) this.walk(item, sc, g);
        }
      } else if (isNode(v)) g.add(this.expr(v, sc));
      else this.walk(v, sc, g);
    }
  }

  /** CASE, COALESCE, GREATEST/LEAST: of one type when every result has the same type. */
  private branches(tag: string, b: Body, sc: Scope): Lin {
    const g = new Gather();
    const results: Lin[] = [];
    if (tag === 'CaseExpr') {
      if (b.arg) g.add(this.expr(b.arg, sc));
      for (const w of (b.args as { CaseWhen: Body }[] | undefined) ?? []) {
        g.add(this.expr(w.CaseWhen.expr, sc));
        results.push(this.expr(w.CaseWhen.result, sc));
      }
      if (b.defresult) results.push(this.expr(b.defresult, sc));
    } else for (const a of (b.args as Node[] | undefined) ?? []) results.push(this.expr(a, sc));
    for (const r of results) g.add(r);
    // NULL takes the others' type; a type with a modifier may lose it when merged.
    const typed = results.filter((r) => r !== NULL_LIN);
    const first = typed[0]?.type;
    const same = first !== undefined && !first.includes('(') && typed.every((r) => r.type === first);
    return g.lin(same ? first : undefined);
  }

  private funcCall(f: FuncCall, sc: Scope): Lin {
    const g = new Gather();
    for (const a of f.args ?? []) g.add(this.expr(a, sc));
    for (const o of f.agg_order ?? []) g.add(this.expr(o, sc));
    if (f.agg_filter) g.add(this.expr(f.agg_filter, sc));
    if (f.over) {
      const w = f.over;
      const bare = !w.partitionClause && !w.orderClause && !w.refname && w.name;
      g.add(bare ? (sc.windows?.get(w.name!) ?? UNRESOLVED) : this.windowLin(w, sc, sc.windows));
    }
    const fn = f.funcname!;
    const schema = fn.length > 1 ? stringOf(fn[0]) : 'pg_catalog';
    const name = stringOf(fn.at(-1)) ?? '';
    return g.lin(schema === 'pg_catalog' && Object.hasOwn(FIXED_RESULT, name) ? FIXED_RESULT[name] : undefined);
  }

  private sublink(s: SubLink, sc: Scope): Lin {
    const type = s.subLinkType;
    const outerReads = this.reads;
    if (type === 'EXISTS_SUBLINK') this.reads = [];
    const sub = this.select((s.subselect as { SelectStmt: SelectStmt }).SelectStmt, sc.level, sc.ctes);
    this.sublinks.set(s, sub);
    const g = new Gather();
    if (type === 'EXISTS_SUBLINK') {
      g.sources = this.reads!;
      this.reads = outerReads;
      this.read(g.lin());
      return g.lin('boolean');
    }
    if (s.testexpr) g.add(this.expr(s.testexpr, sc));
    for (const c of sub.cols) g.add(c.lin);
    if (!sub.complete) g.unresolved = true;
    const first = sub.cols[0]?.lin.type;
    if (type === 'EXPR_SUBLINK') return g.lin(first);
    if (type === 'ARRAY_SUBLINK') return g.lin(first && (first.endsWith('[]') ? first : `${first}[]`));
    return g.lin(type === 'ANY_SUBLINK' || type === 'ALL_SUBLINK' ? 'boolean' : undefined);
  }

  private columnRef(ref: ColumnRef, sc: Scope): Lin {
    const fields = ref.fields!;
    const location = ref.location ?? 0;
    const parts = names(fields);
    if ('A_Star' in fields.at(-1)!) {
      // t.* (or *) inside an expression: the whole row
      const qualifier = parts.slice(0, -1);
      const sources = qualifier.length === 0 ? sc.level.items.filter((s) => s.colsVisible) : [this.qualifiedSource(sc.level, qualifier, location)];
      const g = new Gather();
      for (const s of sources) {
        if (!s) return UNRESOLVED;
        for (const c of s.cols) g.add(c.lin);
        if (!s.complete) g.unresolved = true;
      }
      return this.read(g.lin());
    }
    if (parts.length === 1) {
      const name = parts[0]!;
      const found = resolveColumn(sc.level, name);
      if (found === 'missing') {
        const whole = findSource(sc.level, name);
        if (whole) return this.read(this.wholeRow(whole));
        const known = sc.level.items.filter((s) => s.colsVisible).flatMap((s) => s.cols.map((c) => c.name));
        this.problem('unknown-column', `column \`${name}\` does not exist${suggestion(name, known)}`, location, undefined, name);
        return UNRESOLVED;
      }
      return this.found(found, parts, location);
    }
    // s.t.c (schema, table, column) is tried before t.c.f (table, column, field)
    if (parts.length >= 3) {
      const [schema, table, column] = parts.slice(-3) as [string, string, string];
      const s = findSource(sc.level, table, schema);
      if (s) return this.inSource(s, column, parts, location);
    }
    const s = findSource(sc.level, parts[0]!);
    if (!s) {
      this.problem('missing-relation', `missing FROM-clause entry for \`${parts[0]}\` in \`${parts.join('.')}\``, location);
      return UNRESOLVED;
    }
    const lin = this.inSource(s, parts[1]!, parts, location);
    return parts.length > 2 ? { ...lin, kind: 'transform', type: undefined } : lin;
  }

  private qualifiedSource(level: Level, qualifier: string[], location: number): Source | undefined {
    const s = findSource(level, qualifier.at(-1)!, qualifier.length > 1 ? qualifier.at(-2)! : null);
    if (!s) this.problem('missing-relation', `missing FROM-clause entry for \`${qualifier.join('.')}\``, location);
    return s;
  }

  private wholeRow(s: Source): Lin {
    const g = new Gather();
    for (const c of s.cols) g.add(c.lin);
    if (!s.complete) g.unresolved = true;
    return g.lin();
  }

  /** `parts`: the reference as written (`t.c`), for messages. */
  private inSource(s: Source, column: string, parts: string[], location: number): Lin {
    const found = lookup(s, column);
    if (found === 'missing') {
      const owner = s.base ? relationLabel(s.base) : `\`${s.alias}\``;
      const known = s.cols.map((c) => c.name);
      this.problem('missing-column', `column \`${parts.join('.')}\` does not exist: ${owner} has no column \`${column}\`${suggestion(column, known)}`, location, s.base ?? undefined, column);
      return UNRESOLVED;
    }
    if (found === 'ambiguous') {
      this.problem('ambiguous-column', `column reference \`${parts.join('.')}\` is ambiguous: \`${s.alias}\` has more than one column \`${column}\``, location, undefined, column);
      return UNRESOLVED;
    }
    return this.found(found, parts, location);
  }

  private found(found: Lookup, parts: string[], location: number): Lin {
    if (found === 'unknown' || found === 'missing') return UNRESOLVED;
    if (found === 'ambiguous') {
      this.problem('ambiguous-column', `column reference \`${parts.join('.')}\` is ambiguous`, location, undefined, parts.at(-1));
      return UNRESOLVED;
    }
    const base = found.col.base;
    if (base) this.references.push({ relation: base.relation, column: base.column, offset: this.offsets.fromByte(location) });
    return this.read(found.col.lin);
  }

  private read(lin: Lin): Lin {
    if (this.reads) for (const o of lin.sources) if (!this.selfRelations.has(o.relation)) this.reads.push(o);
    return lin;
  }

  private problem(kind: ProblemKind, message: string, location: number, relation?: Relation, column?: string): void {
    this.problems.push({
      kind,
      message,
      offset: this.offsets.fromByte(location),
      ...(relation ? { relation } : {}),
      ...(column !== undefined ? { column } : {}),
    });
  }
}
