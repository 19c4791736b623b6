/**
 * Rendering happens once, at compile time, but where a `ref` points is only known at run
 * time (the staging schema of this batch, or the published layer). Refs therefore render
 * as markers that `resolvePlaceholders` replaces in one pass.
 */
const MARK = '\u0001';
const PATTERN = /\u0001(ref|this|previous):([^\u0001]*)\u0001/g;

export const refMarker = (name: string): string => `${MARK}ref:${name}${MARK}`;
export const THIS_MARKER = `${MARK}this:${MARK}`;
/** `{{previous_ref "name"}}`: the relation of `name` that the model's published table was built from. */
export const previousMarker = (name: string): string => `${MARK}previous:${name}${MARK}`;

export interface PlaceholderResolver {
  ref(name: string): string;
  this(): string;
  /** Only where a previous version exists: an incremental model's merge (src/plan/plan.ts). */
  previous?(name: string): string;
}

export function resolvePlaceholders(sql: string, resolver: PlaceholderResolver): string {
  return sql.replace(PATTERN, (_, kind: string, name: string) => {
    if (kind === 'ref') return resolver.ref(name);
    if (kind === 'this') return resolver.this();
    if (!resolver.previous) throw new Error(`previous_ref "${name}" has no previous version here: it belongs inside {{#if (is_incremental)}} … {{/if}}`);
    return resolver.previous(name);
  });
}

/** The names an incremental query compares against with `previous_ref`. */
export function previousRefs(sql: string): string[] {
  return [...new Set([...sql.matchAll(PATTERN)].filter((m) => m[1] === 'previous').map((m) => m[2]!))];
}

export function hasPlaceholders(sql: string): boolean {
  return sql.includes(MARK);
}
