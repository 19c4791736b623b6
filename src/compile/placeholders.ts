/**
 * Rendering happens once, at compile time, but where a `ref` points is only known at run
 * time (the staging schema of this batch, or the published layer). Refs therefore render
 * as markers that `resolvePlaceholders` replaces in one pass.
 */
const MARK = '\u0001';
const PATTERN = /\u0001(ref|this):([^\u0001]*)\u0001/g;

export const refMarker = (name: string): string => `${MARK}ref:${name}${MARK}`;
export const THIS_MARKER = `${MARK}this:${MARK}`;

export interface PlaceholderResolver {
  ref(name: string): string;
  this(): string;
}

export function resolvePlaceholders(sql: string, resolver: PlaceholderResolver): string {
  return sql.replace(PATTERN, (_, kind: string, name: string) => (kind === 'ref' ? resolver.ref(name) : resolver.this()));
}

export function hasPlaceholders(sql: string): boolean {
  return sql.includes(MARK);
}
