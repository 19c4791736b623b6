/**
 * Test-only: a table holding every type the lake maps (with NULLs and extremes), and
 * per-column checksums computed independently by Postgres (in SQL) and by DuckDB (reading
 * the parquet file), so a round trip can be compared without trusting our own reader.
 */
import { createHash } from 'node:crypto';
import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import type { Queryable } from '../engine/engine.ts';
import { quoteIdent } from '../engine/quote.ts';

/** How a column's values are put in canonical text on both sides. */
type Canon = 'int' | 'dec' | 'f4' | 'f8' | 'bool' | 'text' | 'bytea' | 'date' | 'ts';

export interface FixtureColumn {
  name: string;
  sqlType: string;
  canon: Canon;
  list?: boolean;
  /** What DuckDB calls the parquet column's type. */
  duckType: string;
}

export const FIXTURE_SCHEMA = 'lake_src';
export const FIXTURE_TABLE = 'all_types';

export const FIXTURE_COLUMNS: FixtureColumn[] = [
  { name: 'id', sqlType: 'integer primary key', canon: 'int', duckType: 'INTEGER' },
  { name: 'i2', sqlType: 'smallint', canon: 'int', duckType: 'SMALLINT' },
  { name: 'i4', sqlType: 'integer', canon: 'int', duckType: 'INTEGER' },
  { name: 'i8', sqlType: 'bigint', canon: 'int', duckType: 'BIGINT' },
  { name: 'f4', sqlType: 'real', canon: 'f4', duckType: 'FLOAT' },
  { name: 'f8', sqlType: 'double precision', canon: 'f8', duckType: 'DOUBLE' },
  { name: 'b', sqlType: 'boolean', canon: 'bool', duckType: 'BOOLEAN' },
  { name: 'n62', sqlType: 'numeric(6,2)', canon: 'dec', duckType: 'DECIMAL(6,2)' },
  { name: 'n38', sqlType: 'numeric(38,0)', canon: 'dec', duckType: 'DECIMAL(38,0)' },
  { name: 'n3810', sqlType: 'numeric(38,10)', canon: 'dec', duckType: 'DECIMAL(38,10)' },
  { name: 'nfree', sqlType: 'numeric', canon: 'text', duckType: 'VARCHAR' },
  { name: 'nwide', sqlType: 'numeric(60,5)', canon: 'text', duckType: 'VARCHAR' },
  { name: 't', sqlType: 'text', canon: 'text', duckType: 'VARCHAR' },
  { name: 'vc', sqlType: 'varchar(20)', canon: 'text', duckType: 'VARCHAR' },
  { name: 'bc', sqlType: 'char(5)', canon: 'text', duckType: 'VARCHAR' },
  { name: 'j', sqlType: 'jsonb', canon: 'text', duckType: 'VARCHAR' },
  { name: 'js', sqlType: 'json', canon: 'text', duckType: 'VARCHAR' },
  { name: 'd', sqlType: 'date', canon: 'date', duckType: 'DATE' },
  { name: 'ts', sqlType: 'timestamp', canon: 'ts', duckType: 'TIMESTAMP' },
  { name: 'tstz', sqlType: 'timestamptz', canon: 'ts', duckType: 'TIMESTAMP WITH TIME ZONE' },
  { name: 'ai4', sqlType: 'integer[]', canon: 'int', list: true, duckType: 'INTEGER[]' },
  { name: 'atext', sqlType: 'text[]', canon: 'text', list: true, duckType: 'VARCHAR[]' },
  { name: 'an', sqlType: 'numeric(10,2)[]', canon: 'dec', list: true, duckType: 'DECIMAL(10,2)[]' },
  { name: 'atstz', sqlType: 'timestamptz[]', canon: 'ts', list: true, duckType: 'TIMESTAMP WITH TIME ZONE[]' },
  { name: 'ab', sqlType: 'boolean[]', canon: 'bool', list: true, duckType: 'BOOLEAN[]' },
  { name: 'af8', sqlType: 'double precision[]', canon: 'f8', list: true, duckType: 'DOUBLE[]' },
  { name: 'ad', sqlType: 'date[]', canon: 'date', list: true, duckType: 'DATE[]' },
  { name: 'u', sqlType: 'uuid', canon: 'text', duckType: 'VARCHAR' },
  { name: 'iv', sqlType: 'interval', canon: 'text', duckType: 'VARCHAR' },
  { name: 'by', sqlType: 'bytea', canon: 'bytea', duckType: 'BLOB' },
  { name: 'mood', sqlType: `${FIXTURE_SCHEMA}.mood`, canon: 'text', duckType: 'VARCHAR' },
  { name: 'amood', sqlType: `${FIXTURE_SCHEMA}.mood[]`, canon: 'text', list: true, duckType: 'VARCHAR[]' },
];

const NINES38 = '9'.repeat(38);

/** Creates and fills `lake_src.all_types`; `extraRows` more ordinary rows after the fixed ones. */
export function fixtureSql(extraRows = 0): string {
  const cols = FIXTURE_COLUMNS.map((c) => `${quoteIdent(c.name)} ${c.sqlType}`).join(', ');
  return `
create schema ${FIXTURE_SCHEMA};
create type ${FIXTURE_SCHEMA}.mood as enum ('sad', 'ok', 'happy');
create table ${FIXTURE_SCHEMA}.${FIXTURE_TABLE} (${cols});
insert into ${FIXTURE_SCHEMA}.${FIXTURE_TABLE} values
(1, 1, 2, 3, 1.5, 2.25, true, 1234.56, 1, 1.5, 3.14159, 12345.6789, 'hello', 'varchar', 'ab', '{"a": [1, 2, {"b": null}]}', '{"x" : 1}',
 '2024-02-29', '2024-02-29 12:34:56.789012', '2024-02-29 12:34:56.789012+00',
 '{1,2,3}', '{"a","b c","d,e"}', '{1.50,-2.25}', '{"2020-01-01 00:00:00.000001+00"}', '{true,false}', '{1.5,NaN,-0,5e-324}', '{2020-01-01}',
 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '1 year 2 months 3 days 04:05:06.789', '\\x00ff10', 'happy', '{happy,sad}'),
(2, -32768, -2147483648, -9223372036854775808, 'NaN', '-Infinity', false, -9999.99, ${NINES38}, -9999999999999999999999999999.9999999999, 'NaN',
 -1234567890123456789012345678901234567890123456789012345.12345, E'h\\u00e9llo w\\u00f6rld \\U0001F389 \\u65E5\\u672C \\t tab "quote" \\\\ backslash\\nnewline', '', ' ', '"just a string"', '[]',
 '0044-03-15 BC', '1969-12-31 23:59:59.999999', '1900-01-01 00:00:00+00',
 '{}', '{}', '{}', '{}', '{}', '{}', '{}', '00000000-0000-0000-0000-000000000000', '-1 days', '\\x', 'sad', '{}'),
(3, 32767, 2147483647, 9223372036854775807, 'Infinity', 1e308, true, 9999.99, -${NINES38}, 0.0000000001, 'Infinity', 0,
 repeat('x', 10000), repeat('y', 20), 'abcde', '{}', 'null', '9999-12-31', '9999-12-31 23:59:59.999999', '2262-04-12 00:00:00.000001+00',
 '{NULL,1}', '{NULL,""}', '{NULL,0.01}', '{NULL,"1970-01-01 00:00:00+00"}', '{NULL,true}', '{NULL,Infinity}', '{NULL,infinity}',
 null, null, null, null, '{NULL,ok}'),
(4, ${FIXTURE_COLUMNS.slice(1).map(() => 'null').join(', ')}),
(5, null, null, null, '-Infinity', null, null, null, null, null, '-Infinity', null, null, null, null, null, null,
 'infinity', '-infinity', 'infinity', ${FIXTURE_COLUMNS.slice(20).map(() => 'null').join(', ')}),
(6, 0, 0, 0, '3.4028235e+38', '5e-324', null, 0, 0, 0, '-0.000001000', null, null, null, null, null, null,
 '-infinity', 'infinity', '-infinity', ${FIXTURE_COLUMNS.slice(20).map(() => 'null').join(', ')});
insert into ${FIXTURE_SCHEMA}.${FIXTURE_TABLE} (id, i8, t, n62, tstz, ai4, j)
select 100 + g, g::bigint * 1000003, 'row ' || g, (g % 10000) / 100.0, timestamptz '2020-01-01 00:00:00+00' + g * interval '1 second 1 microsecond', array[g, g + 1], jsonb_build_object('g', g)
  from generate_series(1, ${extraRows}) g;
`;
}

function pgCanon(expr: string, canon: Canon): string {
  switch (canon) {
    case 'int':
    case 'dec':
      return `${expr}::text`;
    case 'f4':
      return `encode(float4send(${expr}), 'hex')`;
    case 'f8':
      return `encode(float8send(${expr}), 'hex')`;
    case 'bool':
      return `case when ${expr} then 'true' when not ${expr} then 'false' end`;
    case 'bytea':
      return `encode(${expr}, 'hex')`;
    case 'date':
      return `case when isfinite(${expr}) then (${expr} - date '1970-01-01')::text else ${expr}::text end`;
    case 'ts':
      return `case when isfinite(${expr}) then (extract(epoch from ${expr}) * 1000000)::numeric(30,0)::text else ${expr}::text end`;
    case 'text':
      // format() uses the type's output function: char(n) keeps its padding, unlike ::text
      // (but it turns NULL into '').
      return `case when ${expr} is not null then format('%s', ${expr}) end`;
  }
}

/** md5 per column of the canonical values in id order, computed by Postgres. */
export async function pgColumnChecksums(db: Queryable, relation: string): Promise<Record<string, string>> {
  const parts = FIXTURE_COLUMNS.map((c) => {
    const col = quoteIdent(c.name);
    const value = c.list
      ? `case when ${col} is not null then '[' || coalesce((select string_agg(coalesce(${pgCanon('x.v', c.canon)}, 'null'), ',' order by x.o) from unnest(${col}) with ordinality x(v, o)), '') || ']' end`
      : pgCanon(col, c.canon);
    return `md5(string_agg(coalesce(${value}, 'null'), '|' order by id)) as ${col}`;
  });
  const { rows } = await db.query<Record<string, string>>(`select ${parts.join(', ')} from ${relation}`);
  return rows[0]!;
}

const INT64_MAX = 2n ** 63n - 1n;

function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function duckCanon(v: DuckDBValue, canon: Canon): string {
  if (v === null) return 'null';
  const o = v as unknown as Record<string, unknown>;
  switch (canon) {
    case 'int':
    case 'text':
      return String(v);
    case 'dec': {
      const scale = o.scale as number;
      const raw = o.value as bigint;
      const digits = (raw < 0n ? -raw : raw).toString().padStart(scale + 1, '0');
      const body = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
      return raw < 0n ? `-${body}` : body;
    }
    case 'f4':
    case 'f8': {
      const view = new DataView(new ArrayBuffer(8));
      if (canon === 'f4') view.setFloat32(0, v as number);
      else view.setFloat64(0, v as number);
      return hexOf(new Uint8Array(view.buffer, 0, canon === 'f4' ? 4 : 8));
    }
    case 'bool':
      return v ? 'true' : 'false';
    case 'bytea':
      return hexOf(o.bytes as Uint8Array);
    case 'date': {
      const days = o.days as number;
      return days === 2 ** 31 - 1 ? 'infinity' : days === -(2 ** 31 - 1) ? '-infinity' : String(days);
    }
    case 'ts': {
      const micros = o.micros as bigint;
      return micros === INT64_MAX ? 'infinity' : micros === -INT64_MAX ? '-infinity' : String(micros);
    }
  }
}

export interface DuckView {
  rows: number;
  types: Record<string, string>;
  checksums: Record<string, string>;
}

/** DuckDB's reading of a parquet file: row count, column types, per-column checksums. */
export async function duckReadParquet(path: string): Promise<DuckView> {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    const file = `'${path.replaceAll("'", "''")}'`;
    const described = await con.runAndReadAll(`describe select * from read_parquet(${file})`);
    const types = Object.fromEntries(described.getRowObjects().map((r) => [String(r.column_name), String(r.column_type)]));
    const result = await con.runAndReadAll(`select * from read_parquet(${file}) order by id`);
    const rows = result.getRows();
    const names = result.columnNames();
    const checksums: Record<string, string> = {};
    for (const c of FIXTURE_COLUMNS) {
      const at = names.indexOf(c.name);
      const values = rows.map((r) => {
        const v = r[at] ?? null;
        if (!c.list || v === null) return duckCanon(v, c.canon);
        const items = (v as unknown as { items: readonly DuckDBValue[] }).items;
        return `[${items.map((x) => duckCanon(x, c.canon)).join(',')}]`;
      });
      checksums[c.name] = createHash('md5').update(values.join('|')).digest('hex');
    }
    return { rows: rows.length, types, checksums };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
