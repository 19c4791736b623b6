import type { Queryable } from '../engine/engine.ts';
import { StrataError } from '../core/errors.ts';

/** One column of a relation or query result, as Postgres describes it. */
export interface ColumnSpec {
  name: string;
  /** pg_type oid; a domain is given as its base type. */
  typeOid: number;
  /** atttypmod (for an array column: the element's), -1 when unconstrained. */
  typmod: number;
  /** `format_type(oid, typmod)`, e.g. `numeric(6,2)`, `timestamp with time zone`, `text[]`. */
  typeName: string;
}

interface AttributeRow {
  name: string;
  type_oid: number;
  typmod: number;
  type_name: string;
}

/**
 * The columns of a table or view, in order. `relation` is SQL text that `regclass`
 * accepts, e.g. `"gold"."fact_reviews"`. Domains resolve to their base type (one level;
 * a deeper domain stays itself and is exported as text), so binary COPY yields the base
 * type's wire format.
 */
export async function describeColumns(db: Queryable, relation: string): Promise<ColumnSpec[]> {
  let rows: AttributeRow[];
  try {
    ({ rows } = await db.query<AttributeRow>(
      `select a.attname as name,
              (case when t.typtype = 'd' then t.typbasetype else a.atttypid end)::int4 as type_oid,
              (case when t.typtype = 'd' then t.typtypmod else a.atttypmod end)::int4 as typmod,
              case when t.typtype = 'd' then format_type(t.typbasetype, t.typtypmod)
                   else format_type(a.atttypid, a.atttypmod) end as type_name
         from pg_attribute a
         join pg_type t on t.oid = a.atttypid
        where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped
        order by a.attnum`,
      [relation],
    ));
  } catch (err) {
    throw new StrataError(`cannot describe ${relation}: ${(err as Error).message}`);
  }
  if (rows.length === 0) throw new StrataError(`${relation} has no columns to export`);
  return rows.map((r) => ({ name: r.name, typeOid: Number(r.type_oid), typmod: Number(r.typmod), typeName: r.type_name }));
}
