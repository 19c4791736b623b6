/**
 * Test-only helpers: an independent RFC-4180 reader that keeps the NULL / empty-string
 * distinction (unquoted empty → null, "" → ''), so tests check what COPY would load.
 */
export type CsvRecord = (string | null)[];

export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let record: CsvRecord = [];
  let field = '';
  let quoted = false;
  let inQuotes = false;
  let index = 0;
  const endField = (): void => {
    record.push(quoted || field.length > 0 ? field : null);
    field = '';
    quoted = false;
  };
  while (index < text.length) {
    const char = text[index] as string;
    if (inQuotes) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index += 2;
        continue;
      }
      if (char === '"') inQuotes = false;
      else field += char;
      index++;
      continue;
    }
    if (char === '"') {
      if (field.length > 0) throw new Error(`quote inside an unquoted field at offset ${index}`);
      inQuotes = true;
      quoted = true;
    } else if (char === ',') {
      endField();
    } else if (char === '\n') {
      endField();
      records.push(record);
      record = [];
    } else if (char === '\r') {
      throw new Error(`bare CR outside quotes at offset ${index}`);
    } else {
      field += char;
    }
    index++;
  }
  if (inQuotes) throw new Error('unterminated quoted field');
  if (field.length > 0 || quoted || record.length > 0) {
    endField();
    records.push(record);
  }
  return records;
}

/** Rows of a CSV file with a header, as objects keyed by column name. */
export function parseCsvTable(text: string): { columns: string[]; rows: Record<string, string | null>[] } {
  const [header, ...records] = parseCsv(text);
  if (!header) throw new Error('CSV has no header row');
  const columns = header.map((column) => column ?? '');
  const rows = records.map((record) => {
    if (record.length !== columns.length) throw new Error(`expected ${columns.length} fields, got ${record.length}: ${JSON.stringify(record)}`);
    const row: Record<string, string | null> = {};
    columns.forEach((column, i) => {
      row[column] = record[i] ?? null;
    });
    return row;
  });
  return { columns, rows };
}
