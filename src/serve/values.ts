/**
 * Rows as JSON: the drivers hand back bigints and numerics as strings (to lose no digits)
 * and timestamps as Dates; an API answers numbers as numbers and times as ISO strings. The
 * same column types describe the response in the OpenAPI document.
 */
type Field = { name: string; dataTypeID: number };

const INTEGER = new Set([20, 21, 23, 26]);
const NUMBER = new Set([700, 701, 1700, 790]);
const BOOLEAN = new Set([16]);
const TIMESTAMP = new Set([1114, 1184]);
const DATE = new Set([1082]);
const JSON_TYPES = new Set([114, 3802]);

export type JsonSchema = Record<string, unknown>;

export function columnSchema(f: Field, description?: string): JsonSchema {
  // json/jsonb (e.g. a json_agg of related rows): any JSON value, passed through as parsed.
  if (JSON_TYPES.has(f.dataTypeID)) return description ? { description } : {};
  const type = INTEGER.has(f.dataTypeID) ? 'integer' : NUMBER.has(f.dataTypeID) ? 'number' : BOOLEAN.has(f.dataTypeID) ? 'boolean' : 'string';
  const format = TIMESTAMP.has(f.dataTypeID) ? { format: 'date-time' } : DATE.has(f.dataTypeID) ? { format: 'date' } : {};
  return { type: [type, 'null'], ...format, ...(description ? { description } : {}) };
}

const toNumber = (v: unknown): number => (typeof v === 'number' ? v : Number(v as string | bigint));
const toTime = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
const toDate = (v: unknown): string => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v));

/** A function turning one driver row into its JSON value, for rows of these fields. */
export function rowConverter(fields: readonly Field[]): (row: Record<string, unknown>) => Record<string, unknown> {
  const convert = fields.map((f) => {
    if (INTEGER.has(f.dataTypeID) || NUMBER.has(f.dataTypeID)) return toNumber;
    if (TIMESTAMP.has(f.dataTypeID)) return toTime;
    if (DATE.has(f.dataTypeID)) return toDate;
    return null;
  });
  return (row) => {
    const out: Record<string, unknown> = {};
    fields.forEach((f, i) => {
      const v = row[f.name];
      const c = convert[i];
      out[f.name] = v === null || v === undefined ? null : c ? c(v) : v;
    });
    return out;
  };
}
