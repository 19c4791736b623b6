/**
 * PGlite's COPY FROM reads one in-memory blob per statement (its `/dev/blob` device): fed a
 * whole seed at once, a 1M-review CSV would sit in memory twice. This cuts a CSV or text
 * COPY stream into pieces of bounded size at record boundaries, so the loader runs one
 * COPY per piece in the same transaction and holds at most one piece.
 */

export interface CopyPlan {
  /** Pieces can be cut at record boundaries (csv or text format, default quoting). */
  splittable: boolean;
  /** CSV: a newline inside double quotes does not end a record. */
  csv: boolean;
  /** The first record is a header line: every piece starts with it, so one statement fits all. */
  header: boolean;
}

/** What a `COPY … FROM STDIN …` statement's options mean for cutting its input. */
export function copyPlan(copySql: string): CopyPlan {
  const options = copySql.replace(/^[\s\S]*?\bfrom\s+stdin\b/i, '');
  const binary = /\bformat\s+'?binary\b|\bbinary\b/i.test(options);
  const csv = /\bformat\s+'?csv\b|\bcsv\b/i.test(options);
  // A custom quote or escape character changes where records end: keep such input whole.
  const custom = /\b(quote|escape)\b/i.test(options);
  const header = /\bheader\b(?!\s+'?(false|off|0)\b)/i.test(options);
  return { splittable: !binary && !custom, csv, header };
}

export interface CopyPiece {
  bytes: Uint8Array[];
  size: number;
  /** Newlines of the input in this piece, the repeated header's not counted: PostgreSQL's `line N` counts them. */
  lines: number;
}

const QUOTE = 0x22;
const NEWLINE = 0x0a;

/**
 * Yields pieces that end at the first record boundary after `maxBytes` (so a piece is at
 * most one record longer), each a list of views into the input; with a header, every
 * piece after the first starts with a copy of it. Nothing is yielded when the input holds
 * no record after its header.
 */
export async function* copyPieces(data: AsyncIterable<Uint8Array>, plan: CopyPlan, maxBytes: number): AsyncIterable<CopyPiece> {
  let inQuotes = false;
  let header: Uint8Array | null = null;
  let wantHeader = plan.header;
  let parts: Uint8Array[] = [];
  let size = 0;
  let lines = 0;
  const reset = (): void => {
    parts = header ? [header] : [];
    size = header?.length ?? 0;
    lines = 0;
  };
  for await (const chunk of data) {
    // Bytes of `chunk` from `from` on are not yet in `parts`.
    let from = 0;
    let i = 0;
    while (i < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, i);
      if (plan.csv) {
        const q = chunk.indexOf(QUOTE, i);
        if (q >= 0 && (nl < 0 || q < nl)) {
          inQuotes = !inQuotes;
          i = q + 1;
          continue;
        }
      }
      if (nl < 0) break;
      i = nl + 1;
      if (wantHeader) {
        if (inQuotes) continue;
        // The header is the first record: it starts every piece.
        header = concat([...parts, chunk.subarray(from, i)]);
        wantHeader = false;
        from = i;
        reset();
        continue;
      }
      lines++;
      if (inQuotes || size + (i - from) < maxBytes) continue;
      parts.push(chunk.subarray(from, i));
      yield { bytes: parts, size: size + (i - from), lines };
      from = i;
      reset();
    }
    if (from < chunk.length) {
      parts.push(chunk.subarray(from));
      size += chunk.length - from;
    }
  }
  if (!wantHeader && size > (header?.length ?? 0)) yield { bytes: parts, size, lines };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
