/**
 * Name resolution as PostgreSQL's analyzer does it (parse_relation.c), over what is known:
 * every FROM item is a `Source` with the columns it is known to have, and a column name is
 * looked up level by level, innermost query first. When a relation's columns are unknown,
 * a lookup says so instead of guessing; a reference is only pinned to an unknown relation
 * when no other relation could hold the name.
 */
import type { Relation } from './model-sql.ts';

export type LineageKind = 'copy' | 'cast' | 'transform';

export interface Origin {
  relation: Relation;
  column: string;
}

/** What a value derives from. `unresolved`: some of its inputs could not be resolved. */
export interface Lin {
  kind: LineageKind;
  sources: Origin[];
  unresolved: boolean;
  /** format_type's name of its type, when certain. */
  type?: string | undefined;
}

export interface Col {
  name: string;
  lin: Lin;
  /** Set when the column is read straight from a relation: what a reference to it reads. */
  base?: Origin;
}

/** A FROM item: a relation, CTE, subquery, function or join, as a namespace entry. */
export interface Source {
  /** The name that qualifies its columns (`t` in `t.c`); null for a join without alias. */
  alias: string | null;
  /** Of an unaliased table: `schema.table.column` references match it. */
  schema: string | null;
  relVisible: boolean;
  colsVisible: boolean;
  /** A relation read directly (its unknown columns can still be named). */
  base: Relation | null;
  /** Columns known to exist, in order. */
  cols: Col[];
  /** `cols` is every column, in order. */
  complete: boolean;
  /** Stars over incomplete sources: a name not in `cols` may come from one of these. */
  open: Source[];
}

export interface Found {
  col: Col;
  /** False when pinned to a relation whose columns are unknown. */
  certain: boolean;
}
export type Lookup = Found | 'missing' | 'unknown' | 'ambiguous';

export const KIND_RANK: Record<LineageKind, number> = { copy: 0, cast: 1, transform: 2 };

const origins = new WeakMap<Relation, Map<string, Origin>>();

/**
 * One object per relation object and column, so lineage deduplicates by identity; the
 * analysis hands out one relation object per relation (see QueryAnalyzer.relation).
 */
export function originOf(relation: Relation, column: string): Origin {
  let columns = origins.get(relation);
  if (!columns) origins.set(relation, (columns = new Map()));
  let o = columns.get(column);
  if (!o) columns.set(column, (o = { relation, column }));
  return o;
}

export const copyOf = (relation: Relation, column: string): Lin => ({ kind: 'copy', sources: [originOf(relation, column)], unresolved: false });

export const UNRESOLVED: Lin = Object.freeze({ kind: 'transform', sources: [], unresolved: true }) as Lin;

export function baseSource(relation: Relation, alias: string, schema: string | null, columns: readonly { name: string; type?: string | undefined }[] | undefined): Source {
  const cols = (columns ?? []).map((c): Col => {
    const lin = copyOf(relation, c.name);
    if (c.type !== undefined) lin.type = c.type;
    return { name: c.name, lin, base: lin.sources[0]! };
  });
  return { alias, schema, relVisible: true, colsVisible: true, base: relation, cols, complete: columns !== undefined, open: [] };
}

const SYSTEM_COLUMNS = new Set(['tableoid', 'xmin', 'cmin', 'xmax', 'cmax', 'ctid']);

export function lookup(s: Source, name: string): Lookup {
  let hit: Col | undefined;
  let hits = 0;
  for (const c of s.cols) {
    if (c.name === name) {
      hit ??= c;
      hits++;
    }
  }
  if (hits > 1) return 'ambiguous';
  if (hit) return { col: hit, certain: true };
  // A table's system columns are in no catalog; a view has none, but which one it is is not known here.
  if (s.complete && !(s.base && SYSTEM_COLUMNS.has(name))) return 'missing';
  if (s.base) {
    const origin = originOf(s.base, name);
    return { col: { name, lin: { kind: 'copy', sources: [origin], unresolved: false }, base: origin }, certain: false };
  }
  if (s.open.length === 0) return 'unknown';
  const c = new Candidates();
  for (const o of s.open) c.add(lookup(o, name));
  return c.result();
}

/** Looks one name up in several sibling sources (a FROM list, a join) and combines what they say. */
export class Candidates {
  private certain: Found | undefined;
  private certainCount = 0;
  private possible: Found | undefined;
  private possibleCount = 0;
  private ambiguous = false;

  add(r: Lookup): void {
    if (r === 'missing') return;
    if (r === 'ambiguous') this.ambiguous = true;
    else if (r === 'unknown') this.possibleCount++;
    else if (r.certain) {
      this.certain ??= r;
      this.certainCount++;
    } else {
      this.possible ??= r;
      this.possibleCount++;
    }
  }

  result(): Lookup {
    // Where a known relation has the name, a valid query cannot also find it elsewhere.
    if (this.ambiguous || this.certainCount > 1) return 'ambiguous';
    if (this.certain) return this.certain;
    if (this.possibleCount === 1 && this.possible) return this.possible;
    return this.possibleCount > 0 ? 'unknown' : 'missing';
  }
}

/** One query level: its FROM items, and the query it is nested in. */
export interface Level {
  items: Source[];
  parent: Level | null;
}

/** An unqualified column name, searched innermost level first. */
export function resolveColumn(level: Level | null, name: string): Lookup {
  for (let l = level; l; l = l.parent) {
    const c = new Candidates();
    for (const s of l.items) if (s.colsVisible) c.add(lookup(s, name));
    const r = c.result();
    if (r === 'missing') continue;
    if (r === 'unknown' || (r !== 'ambiguous' && !r.certain)) {
      // An unknown relation here may not have it after all, if an outer level could.
      return resolveColumn(l.parent, name) === 'missing' ? r : 'unknown';
    }
    return r;
  }
  return 'missing';
}

/** The FROM item a qualifier names (`t` of `t.c`, or `s.t` of `s.t.c`), innermost first. */
export function findSource(level: Level | null, alias: string, schema: string | null = null): Source | undefined {
  for (let l = level; l; l = l.parent) {
    const s = l.items.find((i) => i.relVisible && i.alias === alias && (schema === null || i.schema === schema));
    if (s) return s;
  }
  return undefined;
}
