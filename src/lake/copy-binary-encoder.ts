import type { Data, RecordBatch } from 'apache-arrow';
import { COPY_SIGNATURE as SIGNATURE, INT32_MAX, INT32_MIN, JSONB_VERSION, PG_EPOCH_DAYS, PG_EPOCH_MICROS_HI, PG_EPOCH_MICROS_LO } from './pg-binary-format.ts';
import { decimal128ToString, encodeNumeric } from './pg-numeric.ts';
import { ValueKind, type ColumnPlan } from './type-mapping.ts';

/**
 * Arrow record batches → Postgres binary COPY, the inverse of the decoder, for restoring
 * a lake batch into tables created with the manifest's types.
 */

/** Hand a chunk to COPY once this much is buffered. */
const CHUNK_BYTES = 1 << 20;
const utf8 = new TextDecoder();

/** A growable output buffer with the big-endian writes binary COPY needs. */
class Output {
  buf = Buffer.allocUnsafe(CHUNK_BYTES * 2);
  len = 0;

  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(grown, 0, 0, this.len);
    this.buf = grown;
  }

  int16(v: number): void {
    this.reserve(2);
    this.buf.writeInt16BE(v, this.len);
    this.len += 2;
  }

  int32(v: number): void {
    this.reserve(4);
    this.buf.writeInt32BE(v, this.len);
    this.len += 4;
  }

  byte(v: number): void {
    this.reserve(1);
    this.buf[this.len++] = v;
  }

  bytes(src: Uint8Array): void {
    this.reserve(src.length);
    this.buf.set(src, this.len);
    this.len += src.length;
  }

  /** Reserves a length prefix; `close` fills it with the bytes written since. */
  open(): number {
    this.int32(0);
    return this.len;
  }

  close(start: number): void {
    this.buf.writeInt32BE(this.len - start, start - 4);
  }

  take(): Uint8Array {
    const out = Uint8Array.prototype.slice.call(this.buf, 0, this.len);
    this.len = 0;
    return out;
  }
}

/** Typed views of one column's Arrow buffers, made once per batch. */
interface ColumnView {
  data: Data;
  bytes: Uint8Array;
  i32: Int32Array;
  u32: Uint32Array;
  offsets: Int32Array;
}

function view(data: Data): ColumnView {
  const values = (data.values ?? new Uint8Array(0)) as ArrayBufferView;
  let bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  // Word views need alignment; Arrow buffers normally have it, a copy guarantees it.
  if (values.byteOffset % 8 !== 0) bytes = bytes.slice();
  const words = bytes.byteLength >> 2;
  return {
    data,
    bytes,
    i32: new Int32Array(bytes.buffer, bytes.byteOffset, words),
    u32: new Uint32Array(bytes.buffer, bytes.byteOffset, words),
    offsets: (data.valueOffsets as Int32Array | undefined) ?? new Int32Array(0),
  };
}

function isNull(data: Data, row: number): boolean {
  return data.nullCount > 0 && !data.getValid(row);
}

export class BinaryCopyEncoder {
  private readonly out = new Output();

  constructor(private readonly plans: readonly ColumnPlan[]) {
    this.out.bytes(SIGNATURE);
    this.out.int32(0);
    this.out.int32(0);
  }

  /** Encodes the batch; returns whole chunks ready for COPY. */
  encode(batch: RecordBatch): Uint8Array[] {
    const names = batch.schema.fields.map((f) => f.name);
    const expected = this.plans.map((p) => p.spec.name);
    if (names.join('\0') !== expected.join('\0')) {
      throw new Error(`parquet columns (${names.join(', ')}) differ from the manifest's (${expected.join(', ')})`);
    }
    const columns = batch.data.children.map((d) => view(d));
    const children = batch.data.children.map((d) => (d.children[0] ? view(d.children[0]) : null));
    const chunks: Uint8Array[] = [];
    for (let row = 0; row < batch.numRows; row++) {
      this.out.int16(this.plans.length);
      for (let c = 0; c < this.plans.length; c++) {
        const plan = this.plans[c]!;
        const col = columns[c]!;
        if (isNull(col.data, row)) this.out.int32(-1);
        else if (plan.isList) this.writeArray(plan, col, children[c]!, row);
        else this.writeValue(plan, col, row);
      }
      if (this.out.len >= CHUNK_BYTES) chunks.push(this.out.take());
    }
    return chunks;
  }

  /** The trailer and whatever is still buffered. */
  end(): Uint8Array {
    this.out.int16(-1);
    return this.out.take();
  }

  private writeArray(plan: ColumnPlan, col: ColumnView, child: ColumnView, row: number): void {
    const from = col.offsets[row]!;
    const to = col.offsets[row + 1]!;
    // List offsets are logical positions in the child, which applies its own offset.
    let hasNull = 0;
    for (let e = from; e < to; e++) if (isNull(child.data, e)) hasNull = 1;
    const start = this.out.open();
    this.out.int32(to > from ? 1 : 0);
    this.out.int32(hasNull);
    this.out.int32(plan.elementOid);
    if (to > from) {
      this.out.int32(to - from);
      this.out.int32(1);
    }
    for (let e = from; e < to; e++) {
      if (isNull(child.data, e)) this.out.int32(-1);
      else this.writeValue(plan, child, e);
    }
    this.out.close(start);
  }

  /**
   * Arrow JS slices value and offset buffers to a Data's offset, but not validity or
   * boolean bitmaps: those are indexed from `offset + row`.
   */
  private writeValue(plan: ColumnPlan, col: ColumnView, row: number): void {
    const out = this.out;
    const i = row;
    const b = col.bytes;
    switch (plan.value.kind) {
      case ValueKind.int2:
      case ValueKind.int4:
      case ValueKind.int8:
      case ValueKind.float4:
      case ValueKind.float8: {
        const w = plan.value.width;
        out.int32(w);
        out.reserve(w);
        for (let k = 0; k < w; k++) out.buf[out.len + k] = b[i * w + w - 1 - k]!;
        out.len += w;
        return;
      }
      case ValueKind.bool: {
        const bit = col.data.offset + row;
        out.int32(1);
        out.byte((b[bit >> 3]! >> (bit & 7)) & 1);
        return;
      }
      case ValueKind.date: {
        const days = col.i32[i]!;
        out.int32(4);
        out.int32(days === INT32_MAX ? INT32_MAX : days <= -INT32_MAX ? INT32_MIN : days - PG_EPOCH_DAYS);
        return;
      }
      case ValueKind.timestamp:
        this.writeTimestamp(col.i32[2 * i + 1]!, col.i32[2 * i]! >>> 0);
        return;
      case ValueKind.decimal:
        this.writeBytes(encodeNumeric(decimal128ToString(col.u32, i, plan.value.scale)));
        return;
      case ValueKind.numericText:
        this.writeBytes(encodeNumeric(utf8.decode(b.subarray(col.offsets[i]!, col.offsets[i + 1]!))));
        return;
      case ValueKind.jsonb: {
        const value = b.subarray(col.offsets[i]!, col.offsets[i + 1]!);
        out.int32(value.length + 1);
        out.byte(JSONB_VERSION);
        out.bytes(value);
        return;
      }
      default:
        this.writeBytes(b.subarray(col.offsets[i]!, col.offsets[i + 1]!));
    }
  }

  private writeBytes(value: Uint8Array): void {
    this.out.int32(value.length);
    this.out.bytes(value);
  }

  private writeTimestamp(hi: number, lo: number): void {
    this.out.int32(8);
    // ±INT64_MAX (and INT64_MIN) are the infinities; Postgres spells -infinity INT64_MIN.
    if (hi === INT32_MAX && lo === 0xffffffff) {
      this.out.int32(INT32_MAX);
      this.out.int32(-1);
      return;
    }
    if (hi === INT32_MIN && lo <= 1) {
      this.out.int32(INT32_MIN);
      this.out.int32(0);
      return;
    }
    let diffLo = lo - PG_EPOCH_MICROS_LO;
    let borrow = 0;
    if (diffLo < 0) {
      diffLo += 4294967296;
      borrow = 1;
    }
    this.out.int32(hi - PG_EPOCH_MICROS_HI - borrow);
    this.out.int32(diffLo | 0);
  }
}

/** Binary COPY data for the batches, ready for `COPY … FROM STDIN (FORMAT binary)`. */
export async function* encodeCopyStream(batches: AsyncIterable<RecordBatch>, plans: readonly ColumnPlan[]): AsyncGenerator<Uint8Array> {
  const encoder = new BinaryCopyEncoder(plans);
  for await (const batch of batches) yield* encoder.encode(batch);
  yield encoder.end();
}
