/**
 * A rendered model holds its refs as placeholder markers (compile/placeholders.ts), which
 * the parser cannot read. `parseableSql` turns each marker into a quoted identifier of the
 * very same length (`\u0001ref:name\u0001` → `"ref:name"`), so every position the parser
 * reports is also a position in the rendered SQL, and `relationAt` maps the relation found
 * at a position back to the model, seed or `this` the marker stood for. Identifiers are
 * truncated by the parser at 63 bytes; the position, not the parsed name, is therefore
 * what identifies a marker.
 */
export type Relation =
  /** A model or seed, through `{{ref "name"}}`. */
  | { kind: 'ref'; name: string }
  /** The model's own relation, through `{{this}}`. */
  | { kind: 'this' }
  /** Any other table or view, as written: sources render as `"schema"."table"`. */
  | { kind: 'table'; schema: string | null; name: string };

/** A stable text key: `ref:fact_reviews`, `this`, `amazon.review`, `review`. */
export function relationKey(r: Relation): string {
  if (r.kind === 'ref') return `ref:${r.name}`;
  if (r.kind === 'this') return 'this';
  return r.schema === null ? r.name : `${r.schema}.${r.name}`;
}

/** How a person reads it in a message: the model's name, or `schema.table`. */
export function relationLabel(r: Relation): string {
  return r.kind === 'ref' ? r.name : r.kind === 'this' ? 'this model' : relationKey(r);
}

const MARKER = /\u0001(ref|this):([^\u0001]*)\u0001/g;

export interface ParseableSql {
  /** Same length as the rendered SQL: positions in one are positions in the other. */
  text: string;
  /** The relation a marker stood for, by the string index where the marker began. */
  relationAt(index: number): Relation | undefined;
}

export function parseableSql(rendered: string): ParseableSql {
  const markers = new Map<number, Relation>();
  if (!rendered.includes('\u0001')) return { text: rendered, relationAt: () => undefined };
  const text = rendered.replace(MARKER, (whole, kind: string, name: string, at: number) => {
    markers.set(at, kind === 'ref' ? { kind: 'ref', name } : { kind: 'this' });
    // A double quote inside the name would end the identifier early; it is only a stand-in.
    return `"${whole.slice(1, -1).replaceAll('"', '_')}"`;
  });
  return { text, relationAt: (index) => markers.get(index) };
}
