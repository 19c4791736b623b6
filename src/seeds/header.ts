import { open } from 'node:fs/promises';

/**
 * The column names of a CSV file: its first record. Postgres parses the body during
 * COPY; only the header is read here, so a few lines of RFC 4180 suffice (quoted names,
 * doubled quotes, a BOM, CRLF).
 */
export async function readCsvHeader(path: string): Promise<string[]> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return parseHeaderLine(buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, ''));
  } finally {
    await handle.close();
  }
}

export function parseHeaderLine(text: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') break;
    else field += c;
  }
  fields.push(field);
  return fields.map((f) => f.trim());
}
