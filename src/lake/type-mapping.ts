/**
 * Postgres column types → Arrow (and so parquet) types. The single source of truth for
 * the lake's type contract; the decoder, the manifest and restore all read it.
 *
 * | Postgres                          | Arrow                          | note |
 * |-----------------------------------|--------------------------------|------|
 * | smallint / integer / bigint       | Int16 / Int32 / Int64          | |
 * | real / double precision           | Float32 / Float64              | NaN and ±Infinity kept |
 * | boolean                           | Bool                           | |
 * | numeric(p,s), p ≤ 38, 0 ≤ s ≤ p    | Decimal128(p, s)               | NaN cannot be represented: the export fails naming the column |
 * | numeric (unconstrained, p > 38, s < 0 or s > p) | Utf8              | exact decimal text, incl. `NaN`, `Infinity`; metadata `strata.encoding=numeric-text` |
 * | text / varchar(n) / char(n)       | Utf8                           | char(n) keeps its padding, as Postgres sends it |
 * | bytea                             | Binary                         | |
 * | json / jsonb                      | Utf8                           | JSON text; metadata `strata.encoding=json` |
 * | date                              | Date32 (days since 1970)       | ±infinity → ±INT32_MAX, as DuckDB spells them |
 * | timestamp                         | Timestamp(µs)                  | ±infinity → ±INT64_MAX, as DuckDB spells them; after 294246 AD fails |
 * | timestamp with time zone          | Timestamp(µs, "UTC")           | same; the instant, whatever the session's TimeZone |
 * | 1-D array of any of the above     | List<that type>                | lower bounds other than 1 are not kept; a multi-dimensional value fails the export |
 * | anything else (uuid, interval, enums, time, inet, …) | Utf8 (List<Utf8> for arrays) | selected as `::text`; restore casts back; metadata `strata.encoding=text` |
 *
 * Every field carries `pg_type` (format_type) in its Arrow metadata, so a file alone says
 * what it was. Domains are exported as their base type. Values arrive in Postgres' binary
 * wire format, so nothing passes through text (no float rounding, no date styles).
 */
import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  List,
  Timestamp,
  TimeUnit,
  Utf8,
  DataType,
} from 'apache-arrow';
import { quoteIdent } from '../engine/quote.ts';
import type { ManifestColumn } from './manifest.ts';
import type { ColumnSpec } from './pg-columns.ts';

/** How one value is decoded from, and encoded to, Postgres' binary wire format. */
export const ValueKind = {
  int2: 1,
  int4: 2,
  int8: 3,
  float4: 4,
  float8: 5,
  bool: 6,
  text: 7,
  bytea: 8,
  jsonb: 9,
  date: 10,
  timestamp: 11,
  decimal: 12,
  numericText: 13,
} as const;
export type ValueKind = (typeof ValueKind)[keyof typeof ValueKind];

export interface ValuePlan {
  kind: ValueKind;
  arrowType: DataType;
  /** Bytes per value in the Arrow buffer; 0 for variable length. */
  width: number;
  /** For `decimal`. */
  precision: number;
  scale: number;
}

export interface ColumnPlan {
  spec: ColumnSpec;
  /** The value (for an array column: the element) plan. */
  value: ValuePlan;
  isList: boolean;
  /** Selected as `::text` / `::text[]` because Arrow has no faithful native type for it. */
  asText: boolean;
  field: Field;
  /** The expression in the export's select list. */
  selectExpr: string;
  /** The Postgres type the values travel as on the wire (what restore's COPY must target). */
  wireType: string;
  /** For a list: the wire type oid of its elements, which binary array input checks. */
  elementOid: number;
}

const OID = {
  bool: 16,
  bytea: 17,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  json: 114,
  float4: 700,
  float8: 701,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
  jsonb: 3802,
} as const;

/** Array type oid → element type oid, for the element types the lake maps natively. */
const ARRAY_ELEMENT: ReadonlyMap<number, number> = new Map([
  [1000, OID.bool],
  [1001, OID.bytea],
  [1005, OID.int2],
  [1007, OID.int4],
  [1009, OID.text],
  [1014, OID.bpchar],
  [1015, OID.varchar],
  [1016, OID.int8],
  [1021, OID.float4],
  [1022, OID.float8],
  [1115, OID.timestamp],
  [1182, OID.date],
  [1185, OID.timestamptz],
  [1231, OID.numeric],
  [199, OID.json],
  [3807, OID.jsonb],
]);

const MAX_DECIMAL128_PRECISION = 38;

function plan(kind: ValueKind, arrowType: DataType, width: number, precision = 0, scale = 0): ValuePlan {
  return { kind, arrowType, width, precision, scale };
}

/** numeric's typmod packs precision and a signed 11-bit scale (Postgres 13+ allows scale < 0). */
function numericTypmod(typmod: number): { precision: number; scale: number } | null {
  if (typmod < 4) return null;
  const t = typmod - 4;
  return { precision: (t >> 16) & 0xffff, scale: ((t & 0x7ff) ^ 1024) - 1024 };
}

/** The plan for a scalar type oid, or null when it is exported as text. */
function valuePlan(oid: number, typmod: number): ValuePlan | null {
  switch (oid) {
    case OID.int2:
      return plan(ValueKind.int2, new Int16(), 2);
    case OID.int4:
      return plan(ValueKind.int4, new Int32(), 4);
    case OID.int8:
      return plan(ValueKind.int8, new Int64(), 8);
    case OID.float4:
      return plan(ValueKind.float4, new Float32(), 4);
    case OID.float8:
      return plan(ValueKind.float8, new Float64(), 8);
    case OID.bool:
      return plan(ValueKind.bool, new Bool(), 0);
    case OID.text:
    case OID.varchar:
    case OID.bpchar:
    case OID.json:
      return plan(ValueKind.text, new Utf8(), 0);
    case OID.jsonb:
      return plan(ValueKind.jsonb, new Utf8(), 0);
    case OID.bytea:
      return plan(ValueKind.bytea, new Binary(), 0);
    case OID.date:
      return plan(ValueKind.date, new DateDay(), 4);
    case OID.timestamp:
      return plan(ValueKind.timestamp, new Timestamp(TimeUnit.MICROSECOND), 8);
    case OID.timestamptz:
      return plan(ValueKind.timestamp, new Timestamp(TimeUnit.MICROSECOND, 'UTC'), 8);
    case OID.numeric: {
      const ps = numericTypmod(typmod);
      if (ps && ps.precision <= MAX_DECIMAL128_PRECISION && ps.scale >= 0 && ps.scale <= ps.precision) {
        return plan(ValueKind.decimal, new Decimal(ps.scale, ps.precision, 128), 16, ps.precision, ps.scale);
      }
      return plan(ValueKind.numericText, new Utf8(), 0);
    }
    default:
      return null;
  }
}

function encodingNote(oid: number, value: ValuePlan, asText: boolean): string | null {
  if (asText) return 'text';
  if (value.kind === ValueKind.numericText) return 'numeric-text';
  if (oid === OID.json || oid === OID.jsonb) return 'json';
  return null;
}

export function planColumn(spec: ColumnSpec): ColumnPlan {
  const elementOid = ARRAY_ELEMENT.get(spec.typeOid);
  const isList = elementOid !== undefined || spec.typeName.endsWith('[]');
  const native = valuePlan(elementOid ?? spec.typeOid, spec.typmod);
  const asText = native === null;
  const value = native ?? plan(ValueKind.text, new Utf8(), 0);
  const metadata = new Map([['pg_type', spec.typeName]]);
  const note = encodingNote(elementOid ?? spec.typeOid, value, asText);
  if (note) metadata.set('strata.encoding', note);
  const arrowType = isList ? new List(new Field('item', value.arrowType, true)) : value.arrowType;
  const ident = quoteIdent(spec.name);
  const textType = isList ? 'text[]' : 'text';
  return {
    spec,
    value,
    isList,
    asText,
    field: new Field(spec.name, arrowType, true, metadata),
    selectExpr: asText ? `${ident}::${textType}` : ident,
    wireType: asText ? textType : spec.typeName,
    elementOid: isList ? (asText ? OID.text : elementOid!) : 0,
  };
}

/** `select <cols> from <relation>` with every column as the lake stores it. */
export function exportSelect(plans: readonly ColumnPlan[], relation: string): string {
  return `select ${plans.map((p) => p.selectExpr).join(', ')} from ${relation}`;
}

/** pyarrow's names, the ones lake readers know. */
function arrowTypeName(type: DataType): string {
  if (DataType.isInt(type)) return `${type.isSigned ? '' : 'u'}int${type.bitWidth}`;
  if (DataType.isFloat(type)) return ['halffloat', 'float', 'double'][type.precision] ?? 'float';
  if (DataType.isDecimal(type)) return `decimal${type.bitWidth}(${type.precision}, ${type.scale})`;
  if (DataType.isTimestamp(type)) return `timestamp[us${type.timezone ? `, tz=${type.timezone}` : ''}]`;
  if (DataType.isDate(type)) return 'date32[day]';
  if (DataType.isBool(type)) return 'bool';
  if (DataType.isUtf8(type)) return 'string';
  if (DataType.isBinary(type)) return 'binary';
  if (DataType.isList(type)) return `list<${arrowTypeName((type.children[0] as Field).type)}>`;
  return String(type);
}

/**
 * What a manifest records of an exported column. Kept here, with the plans, so that manifest.ts
 * imports nothing of Arrow: the commands that only read manifests (health, batches) then never
 * load it (≈ 470 KB of bundled JavaScript, 40–50 ms of CPU).
 */
export function manifestColumn(plan: ColumnPlan): ManifestColumn {
  const encoding = plan.field.metadata.get('strata.encoding');
  return {
    name: plan.spec.name,
    pgType: plan.spec.typeName,
    typeOid: plan.spec.typeOid,
    typmod: plan.spec.typmod,
    arrowType: arrowTypeName(plan.field.type),
    ...(encoding ? { encoding } : {}),
  };
}
