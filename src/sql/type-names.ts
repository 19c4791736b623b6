import type { TypeName } from 'libpg-query';

/**
 * The name PostgreSQL's `format_type` gives a type written in a cast, so a column's type
 * reads the same whether it comes from here or from the database (contracts compare them).
 * Only built-in types are named; anything else is left unknown rather than guessed.
 */
const PLAIN: Record<string, string> = {
  int2: 'smallint', int4: 'integer', int8: 'bigint', float4: 'real', float8: 'double precision',
  bool: 'boolean', text: 'text', bytea: 'bytea', date: 'date', json: 'json', jsonb: 'jsonb',
  uuid: 'uuid', xml: 'xml', inet: 'inet', cidr: 'cidr', macaddr: 'macaddr', money: 'money',
  oid: 'oid', name: 'name', regclass: 'regclass', tsvector: 'tsvector', tsquery: 'tsquery',
  numeric: 'numeric', varchar: 'character varying', bpchar: 'bpchar', interval: 'interval',
  timestamp: 'timestamp without time zone', timestamptz: 'timestamp with time zone',
  time: 'time without time zone', timetz: 'time with time zone', bit: 'bit', varbit: 'bit varying',
};

/** Types whose modifier is a length or precision written after the name: `character varying(20)`. */
const WITH_LENGTH: Record<string, string> = {
  varchar: 'character varying', bpchar: 'character', bit: 'bit', varbit: 'bit varying',
};
/** Types whose precision goes between the words: `timestamp(3) with time zone`. */
const WITH_PRECISION: Record<string, [string, string]> = {
  timestamp: ['timestamp', ' without time zone'], timestamptz: ['timestamp', ' with time zone'],
  time: ['time', ' without time zone'], timetz: ['time', ' with time zone'],
};

function intModifiers(t: TypeName): number[] | null {
  const out: number[] = [];
  for (const m of t.typmods ?? []) {
    const c = (m as { A_Const?: { ival?: { ival?: number } } }).A_Const;
    if (!c?.ival) return null;
    out.push(c.ival.ival ?? 0);
  }
  return out;
}

export function formatTypeName(t: TypeName): string | undefined {
  if (t.setof || t.pct_type) return undefined;
  const names = (t.names ?? []).map((n) => (n as { String?: { sval?: string } }).String?.sval ?? '');
  if (names.length === 2 && names[0] !== 'pg_catalog') return undefined;
  if (names.length === 0 || names.length > 2) return undefined;
  const base = names.at(-1)!;
  const mods = intModifiers(t);
  if (!mods || !(base in PLAIN)) return undefined;
  let name: string | undefined;
  if (mods.length === 0) name = PLAIN[base];
  else if (base === 'numeric' && mods.length <= 2) name = `numeric(${mods[0]},${mods[1] ?? 0})`;
  else if (base in WITH_LENGTH && mods.length === 1) name = `${WITH_LENGTH[base]}(${mods[0]})`;
  else if (base in WITH_PRECISION && mods.length === 1) {
    const [head, tail] = WITH_PRECISION[base]!;
    name = `${head}(${mods[0]})${tail}`;
  }
  if (name === undefined) return undefined;
  return t.arrayBounds?.length ? `${name}[]` : name;
}
