import { makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { ColumnBuilder, ValueError } from './column-builder.ts';
import type { ColumnPlan } from './type-mapping.ts';
import { COPY_SIGNATURE as SIGNATURE } from './pg-binary-format.ts';

/**
 * Decodes Postgres' binary COPY format (`PGCOPY\n\377\r\n\0`, int32 flags, int32 header
 * extension length + extension; per tuple an int16 field count and per field an int32
 * length, -1 for NULL, then the bytes; an int16 -1 trailer) into Arrow record batches,
 * chunk by chunk, holding at most one batch and one partial tuple.
 */

const HEADER_FIXED = SIGNATURE.length + 8;
/** Flag bit 16: OIDs included (WITH OIDS, gone since Postgres 12). */
const FLAG_OIDS = 1 << 16;

export interface BatchLimits {
  /** A batch closes at this many rows… */
  rows: number;
  /** …or once this many bytes of COPY data went into it, whichever comes first. */
  bytes: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = { rows: 65_536, bytes: 4 * 1024 * 1024 };

function int16(b: Uint8Array, p: number): number {
  return (((b[p]! << 8) | b[p + 1]!) << 16) >> 16;
}

function int32(b: Uint8Array, p: number): number {
  return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

export class CopyFormatError extends Error {
  override name = 'CopyFormatError';
}

type State = 'header' | 'tuples' | 'done';

export class BinaryCopyDecoder {
  readonly schema: Schema;
  private readonly builders: ColumnBuilder[];
  private readonly columns: number;
  private state: State = 'header';
  /** A header or tuple split across chunks, completed from the next chunk. */
  private pending = Buffer.alloc(0);
  private pendingLen = 0;
  private batchRows = 0;
  private batchBytes = 0;
  /** Rows decoded so far. */
  rows = 0;

  /**
   * With `reuseBuffers`, each batch's buffers are overwritten by the next one: a consumer
   * must be done with a batch (e.g. have serialised it) before asking for the next.
   * That saves allocating and collecting a batch worth of memory per batch.
   */
  constructor(
    plans: readonly ColumnPlan[],
    private readonly limits: BatchLimits = DEFAULT_BATCH_LIMITS,
    private readonly reuseBuffers = false,
  ) {
    this.schema = new Schema(plans.map((p) => p.field));
    this.columns = plans.length;
    this.builders = plans.map((p) => ColumnBuilder.forColumn(p));
  }

  /** Feeds one chunk, yielding each batch as it fills. */
  *push(chunk: Uint8Array): Generator<RecordBatch> {
    const src = asBuffer(chunk);
    let pos = 0;
    if (this.pendingLen > 0) {
      pos = this.completePending(src);
      if (pos < 0) return;
      if (this.full()) yield this.flush();
    }
    while (pos < src.length) {
      pos = this.consume(src, pos);
      if (this.full()) yield this.flush();
    }
  }

  /** Call after the last chunk: checks the stream was complete, yields the last batch. */
  *end(): Generator<RecordBatch> {
    if (this.state !== 'done') {
      throw new CopyFormatError(`COPY data ended ${this.state === 'header' ? 'before its header' : `after ${this.rows} rows without its trailer`} (connection lost?)`);
    }
    // An empty result still yields one (empty) batch: the file needs the schema.
    if (this.batchRows > 0 || this.rows === 0) yield this.flush();
  }

  private full(): boolean {
    return this.batchRows >= this.limits.rows || this.batchBytes >= this.limits.bytes;
  }

  /**
   * Whole units from src[pos…] until the batch is full or the chunk ends (a partial unit
   * at the end goes to `pending`); returns where it stopped.
   */
  private consume(src: Buffer, pos: number): number {
    const end = src.length;
    while (pos < end && !this.full()) {
      if (this.state === 'done') throw new CopyFormatError('data after the COPY trailer');
      const next = this.scan(src, pos, end);
      if (next < 0) {
        this.stash(src, pos, end);
        return end;
      }
      this.unit(src, pos, next);
      pos = next;
    }
    return pos;
  }

  /** Grows `pending` by exactly the bytes the unit still lacks, so it ends at pendingLen. */
  private completePending(src: Buffer): number {
    let pos = 0;
    for (;;) {
      const next = this.scan(this.pending, 0, this.pendingLen);
      if (next >= 0) break;
      const take = Math.min(-next, src.length - pos);
      this.stash(src, pos, pos + take);
      pos += take;
      if (take < -next) return -1;
    }
    this.unit(this.pending, 0, this.pendingLen);
    this.pendingLen = 0;
    return pos;
  }

  private stash(src: Buffer, from: number, to: number): void {
    const need = this.pendingLen + (to - from);
    if (need > this.pending.length) {
      const grown = Buffer.alloc(Math.max(need, this.pending.length * 2, 4096));
      this.pending.copy(grown, 0, 0, this.pendingLen);
      this.pending = grown;
    }
    src.copy(this.pending, this.pendingLen, from, to);
    this.pendingLen = need;
  }

  /** The end of the unit (header, tuple or trailer) at b[p], or minus the bytes it lacks. */
  private scan(b: Uint8Array, p: number, end: number): number {
    if (this.state === 'header') {
      if (end - p >= SIGNATURE.length && Buffer.compare(SIGNATURE, b.subarray(p, p + SIGNATURE.length)) !== 0) {
        throw new CopyFormatError('not binary COPY data (bad signature)');
      }
      if (end - p < HEADER_FIXED) return -(HEADER_FIXED - (end - p));
      const q = p + HEADER_FIXED + int32(b, p + HEADER_FIXED - 4);
      return q <= end ? q : -(q - end);
    }
    if (end - p < 2) return -(2 - (end - p));
    const count = int16(b, p);
    if (count === -1) return p + 2;
    if (count !== this.columns) throw new CopyFormatError(`a tuple with ${count} fields, expected ${this.columns}`);
    let q = p + 2;
    for (let c = 0; c < count; c++) {
      if (q + 4 > end) return -(q + 4 - end);
      const len = int32(b, q);
      q += 4;
      if (len > 0) q += len;
    }
    return q <= end ? q : -(q - end);
  }

  private unit(b: Buffer, p: number, end: number): void {
    if (this.state === 'header') {
      this.header(b, p);
      this.state = 'tuples';
      return;
    }
    if (end - p === 2 && int16(b, p) === -1) {
      this.state = 'done';
      return;
    }
    let q = p + 2;
    const builders = this.builders;
    if (this.batchRows === 0 && this.reuseBuffers) for (const builder of builders) builder.recycle();
    try {
      for (let c = 0; c < this.columns; c++) {
        const len = int32(b, q);
        q += 4;
        const builder = builders[c]!;
        if (len < 0) builder.appendNull();
        else {
          builder.append(b, q, len);
          q += len;
        }
      }
    } catch (err) {
      if (err instanceof ValueError) err.message += ` (row ${this.rows + 1})`;
      throw err;
    }
    this.rows++;
    this.batchRows++;
    this.batchBytes += end - p;
  }

  private header(b: Buffer, p: number): void {
    if (int32(b, p + SIGNATURE.length) & FLAG_OIDS) throw new CopyFormatError('COPY data WITH OIDS is not supported');
  }

  private flush(): RecordBatch {
    const children = this.builders.map((b) => b.finish(this.reuseBuffers));
    const length = this.batchRows;
    this.batchRows = 0;
    this.batchBytes = 0;
    return new RecordBatch(this.schema, makeData({ type: new Struct(this.schema.fields), length, nullCount: 0, children }));
  }
}

/** Record batches from a binary COPY byte stream (for `reuseBuffers`, see the decoder). */
export async function* decodeCopyStream(
  chunks: AsyncIterable<Uint8Array>,
  plans: readonly ColumnPlan[],
  limits: BatchLimits = DEFAULT_BATCH_LIMITS,
  reuseBuffers = false,
): AsyncGenerator<RecordBatch> {
  const decoder = new BinaryCopyDecoder(plans, limits, reuseBuffers);
  for await (const chunk of chunks) yield* decoder.push(chunk);
  yield* decoder.end();
}
