/**
 * RFC-4180 field encoding with PostgreSQL COPY … (FORMAT csv) conventions:
 * NULL is an empty unquoted field, the empty string is "" (quoted empty).
 * A field is quoted only when it must be: it contains a comma, a double quote, CR or LF.
 */
export function csvText(value: string | null): string {
  if (value === null) return '';
  if (value.length === 0) return '""';
  if (!needsQuoting(value)) return value;
  return csvQuoted(value);
}

/** Always quoted, for callers that want quotes beyond what RFC-4180 requires. */
export function csvQuoted(value: string): string {
  return '"' + (value.includes('"') ? value.replaceAll('"', '""') : value) + '"';
}

/** For values the caller knows are free of separators (numbers, ids, timestamps). */
export function csvNullable(value: string | number | null): string {
  return value === null ? '' : String(value);
}

export function csvHeader(columns: readonly string[]): string {
  return columns.map(csvText).join(',');
}

const COMMA = 44;
const DOUBLE_QUOTE = 34;
const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;

// A char-code scan beats a regex here: it runs for every text field of every row.
function needsQuoting(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === COMMA || code === DOUBLE_QUOTE || code === LINE_FEED || code === CARRIAGE_RETURN) return true;
  }
  return false;
}
