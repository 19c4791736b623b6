/**
 * The one place where names and values become SQL text. Everything that reaches a
 * statement from config, vars, seeds or data passes through here.
 */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error(`identifier contains a NUL byte: ${JSON.stringify(name)}`);
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."name"` */
export function qualify(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/**
 * A standard-conforming string literal. With standard_conforming_strings on (the default
 * since 9.1, and on Neon) backslashes are literal, so doubling quotes is sufficient; the
 * E'' form is used when backslashes are present so the text survives either setting.
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error(`string contains a NUL byte: ${JSON.stringify(value)}`);
  const body = value.replaceAll("'", "''");
  return value.includes('\\') ? `E'${body.replaceAll('\\', '\\\\')}'` : `'${body}'`;
}

/**
 * A JS value as a SQL literal: numbers, booleans, null, strings, arrays of those. A
 * negative number is parenthesised: written after a minus (`5-{{var "x"}}`) its sign
 * would otherwise make `--`, which comments out the rest of the line.
 */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return value < 0 ? `(${value})` : String(value);
  }
  if (typeof value === 'bigint') return value < 0n ? `(${value})` : value.toString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return quoteLiteral(value);
  if (Array.isArray(value)) return value.map(sqlLiteral).join(', ');
  throw new Error(`cannot render ${typeof value} as a SQL literal`);
}
