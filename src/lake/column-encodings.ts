/**
 * Per-column parquet encoding choices, made from a table's first record batch. They change
 * how values are stored, never which values: the file reads back the same.
 *
 * - **Dictionary only where values repeat.** parquet-wasm (arrow-rs) tries a dictionary on
 *   every column and falls back to plain encoding once the dictionary outgrows its page
 *   limit, after hashing the values up to then — in every row group. On the 1M-review gold
 *   that wasted hashing was ≈ 30 % of the encoder's CPU (ids, timestamps, scores, free text),
 *   for no gain in size (docs/scaling.md).
 * - **No min/max statistics for numeric text.** Unconstrained `numeric` is stored as its
 *   exact decimal text; min/max of decimal strings are lexicographic ("10" < "9"), useless
 *   for a numeric filter, and arrow-rs compares every value for them (≈ 25 % of the
 *   encoder's CPU on review_detail, which has 18 such columns). Null counts stay.
 */
import { DataType, type Data, type RecordBatch } from 'apache-arrow';

export interface ColumnEncodings {
  /** Columns written without a dictionary. */
  plain: string[];
  /** Columns written without min/max statistics. */
  noStatistics: string[];
}

/** A dictionary pays when a value appears this many times on average in the sampled batch. */
const MIN_REPEATS = 2;

/** The `strata.encoding` a column's exact-decimal text carries (type-mapping.ts). */
const NUMERIC_TEXT = 'numeric-text';

/**
 * Whether `data`'s distinct values (the sample of one batch) look few enough for a
 * dictionary: each repeated `MIN_REPEATS` times on average, all of them within
 * `dictionaryBytes` as a plain-encoded dictionary page. Stops reading as soon as the answer is no.
 */
function repeats(data: Data, dictionaryBytes: number): boolean {
  const rows = data.length;
  const maxDistinct = Math.floor(rows / MIN_REPEATS);
  if (maxDistinct === 0) return false;
  const valid = (i: number): boolean => data.nullCount === 0 || data.nullBitmap === undefined || ((data.nullBitmap[(data.offset + i) >> 3]! >> ((data.offset + i) & 7)) & 1) === 1;
  const offsets = data.valueOffsets as Int32Array | undefined;
  const values = data.values as ArrayBufferView | undefined;
  if (!values) return true;
  let bytes = 0;
  if (offsets) {
    // Variable length: the bytes as a latin1 string key (one char per byte, exact).
    const raw = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    const seen = new Set<string>();
    for (let i = 0; i < rows; i++) {
      if (!valid(i)) continue;
      const start = offsets[data.offset + i]!;
      const end = offsets[data.offset + i + 1]!;
      const key = raw.toString('latin1', start, end);
      if (seen.has(key)) continue;
      seen.add(key);
      bytes += 4 + end - start;
      if (seen.size > maxDistinct || bytes > dictionaryBytes) return false;
    }
    return true;
  }
  // Fixed width: each value's 32-bit words folded into a number key (a collision only makes
  // the count lower, i.e. a dictionary a little likelier; arrow-rs still falls back on its own).
  const width = values.byteLength / Math.max(1, data.offset + rows) || 0;
  if (width < 4 || width % 4 !== 0) return true;
  const words = width / 4;
  const u32 = new Uint32Array(values.buffer, values.byteOffset, values.byteLength >> 2);
  const seen = new Set<number>();
  for (let i = 0; i < rows; i++) {
    if (!valid(i)) continue;
    const at = (data.offset + i) * words;
    // From the high word down: exact for 64-bit values below 2^53 in magnitude.
    let key = u32[at + words - 1]!;
    for (let w = words - 2; w >= 0; w--) key = key * 4294967296 + u32[at + w]!;
    if (seen.has(key)) continue;
    seen.add(key);
    bytes += width;
    if (seen.size > maxDistinct || bytes > dictionaryBytes) return false;
  }
  return true;
}

/** The choices for a table whose first batch is `batch`. */
export function chooseEncodings(batch: RecordBatch, dictionaryBytes: number): ColumnEncodings {
  const plain: string[] = [];
  const noStatistics: string[] = [];
  batch.schema.fields.forEach((field, i) => {
    if (field.metadata.get('strata.encoding') === NUMERIC_TEXT) noStatistics.push(field.name);
    const data = batch.getChildAt(i)?.data[0];
    // Booleans are never dictionary-encoded, lists keep the default (their elements vary).
    if (!data || data.children.length > 0 || data.values === undefined || DataType.isBool(field.type)) return;
    if (!repeats(data, dictionaryBytes)) plain.push(field.name);
  });
  return { plain, noStatistics };
}
