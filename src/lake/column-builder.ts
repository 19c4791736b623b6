import { Data, type DataType } from 'apache-arrow';
import { INT32_MAX, INT32_MIN, JSONB_VERSION, PG_EPOCH_DAYS, PG_EPOCH_MICROS_HI, PG_EPOCH_MICROS_LO } from './pg-binary-format.ts';
import { numericTextBound, numericToDecimal128, writeNumericText } from './pg-numeric.ts';
import { ValueKind, type ColumnPlan, type ValuePlan } from './type-mapping.ts';

/** Below this length a byte loop beats the native copy call. */
const SHORT_COPY = 24;
const MAX_OFFSET = 0x7fffffff;
const INITIAL_ROWS = 1024;
const INITIAL_BYTES = 64 * 1024;

/**
 * A validity bitmap with every bit set: values are the rule and nulls the exception, so
 * only a null touches the bitmap (setting a bit per value was the costliest line of the
 * decoder's profile). Bits past the batch's length are never read.
 */
function allValid(rows: number): Uint8Array {
  return new Uint8Array((rows + 7) >> 3).fill(0xff);
}

/** A value the lake cannot store faithfully, pinned to its column. */
export class ValueError extends Error {
  constructor(column: string, message: string) {
    super(`column ${JSON.stringify(column)}: ${message}`);
    this.name = 'ValueError';
  }
}

function int32(b: Uint8Array, p: number): number {
  return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
}

/**
 * Accumulates one column of a record batch straight from binary COPY bytes into the
 * buffers Arrow will use. Every kind shares this one class shape so the decoder's hot loop
 * stays monomorphic. Buffers start small and double as needed (with reuse, only during
 * the first batch), so a wide schema costs no more than its data.
 */
export class ColumnBuilder {
  readonly kind: ValueKind;
  readonly width: number;
  readonly isList: boolean;
  readonly child: ColumnBuilder | null;
  /** Variable-length values and lists keep Arrow offsets. */
  private readonly hasOffsets: boolean;
  length = 0;
  nullCount = 0;
  private capacity = INITIAL_ROWS;
  /** Bytes for variable-length values in a fresh batch: what the last one needed. */
  private bytesHint = INITIAL_BYTES;
  private validity!: Uint8Array;
  /** Fixed-width values, bool bits, or the bytes of variable-length values. */
  private values!: Uint8Array;
  private i32!: Int32Array;
  private u32!: Uint32Array;
  private used = 0;
  private offsets!: Int32Array;
  /** Bitmap bytes a reused batch left dirty, reset by `recycle`. */
  private dirtyBits = 0;
  /** The reused batch cleared validity bits (it had nulls): `recycle` sets them again. */
  private dirtyValidity = false;

  constructor(
    private readonly name: string,
    private readonly value: ValuePlan,
    private readonly type: DataType,
    isList: boolean,
  ) {
    this.kind = value.kind;
    this.width = value.width;
    this.isList = isList;
    this.hasOffsets = isList || (value.width === 0 && value.kind !== ValueKind.bool);
    this.child = isList ? new ColumnBuilder(name, value, value.arrowType, false) : null;
    this.allocate();
  }

  static forColumn(plan: ColumnPlan): ColumnBuilder {
    return new ColumnBuilder(plan.spec.name, plan.value, plan.field.type, plan.isList);
  }

  private allocate(): void {
    const rows = this.capacity;
    this.validity = allValid(rows);
    this.offsets = new Int32Array(this.hasOffsets ? rows + 1 : 0);
    const bytes = this.isList ? 0 : this.width > 0 ? rows * this.width : this.kind === ValueKind.bool ? (rows + 7) >> 3 : this.bytesHint;
    this.setValues(new Uint8Array(bytes));
  }

  private setValues(values: Uint8Array): void {
    this.values = values;
    const aligned = values.byteLength - (values.byteLength % 4);
    this.i32 = new Int32Array(values.buffer, 0, aligned >> 2);
    this.u32 = new Uint32Array(values.buffer, 0, aligned >> 2);
  }

  private growRows(): void {
    const rows = this.capacity * 2;
    const validity = allValid(rows);
    validity.set(this.validity);
    this.validity = validity;
    if (this.hasOffsets) {
      const offsets = new Int32Array(rows + 1);
      offsets.set(this.offsets);
      this.offsets = offsets;
    }
    if (!this.isList && (this.width > 0 || this.kind === ValueKind.bool)) {
      const values = new Uint8Array(this.width > 0 ? rows * this.width : (rows + 7) >> 3);
      values.set(this.values);
      this.setValues(values);
    }
    this.capacity = rows;
  }

  private reserveBytes(n: number): void {
    const need = this.used + n;
    if (need <= this.values.length) return;
    if (need > MAX_OFFSET) throw new ValueError(this.name, 'more than 2 GiB of values in one record batch');
    const values = new Uint8Array(Math.min(MAX_OFFSET, Math.max(need, this.values.length * 2)));
    values.set(this.values.subarray(0, this.used));
    this.setValues(values);
  }

  appendNull(): void {
    if (this.length === this.capacity) this.growRows();
    const row = this.length++;
    this.nullCount++;
    this.validity[row >> 3]! &= ~(1 << (row & 7));
    if (this.hasOffsets) this.offsets[row + 1] = this.isList ? this.offsets[row]! : this.used;
  }

  /** The value of `len` bytes at `src[p]`, in the column's binary wire format. */
  append(src: Buffer, p: number, len: number): void {
    if (this.length === this.capacity) this.growRows();
    const row = this.length++;
    if (this.isList) {
      this.appendArray(src, p, len, row);
      return;
    }
    const v = this.values;
    switch (this.kind) {
      // Big-endian wire → little-endian Arrow, a 32-bit word at a time (floats too: bits are bits).
      case ValueKind.int2:
        v[row * 2] = src[p + 1]!;
        v[row * 2 + 1] = src[p]!;
        return;
      case ValueKind.int4:
      case ValueKind.float4:
        this.i32[row] = int32(src, p);
        return;
      case ValueKind.int8:
      case ValueKind.float8:
        this.i32[row * 2] = int32(src, p + 4);
        this.i32[row * 2 + 1] = int32(src, p);
        return;
      case ValueKind.bool:
        if (src[p] !== 0) v[row >> 3]! |= 1 << (row & 7);
        return;
      case ValueKind.date: {
        // ±infinity become ±INT32_MAX, DuckDB's date infinities (Postgres' -infinity is INT32_MIN).
        const days = int32(src, p);
        this.i32[row] = days === INT32_MAX ? INT32_MAX : days === INT32_MIN ? -INT32_MAX : days + PG_EPOCH_DAYS;
        return;
      }
      case ValueKind.timestamp:
        this.appendTimestamp(int32(src, p), int32(src, p + 4) >>> 0, row);
        return;
      case ValueKind.decimal: {
        const miss = numericToDecimal128(src, p, this.value.precision, this.value.scale, this.u32, row);
        if (miss) {
          throw new ValueError(this.name, `${miss} does not fit decimal(${this.value.precision},${this.value.scale}); cast the column in the model (e.g. to text or double precision)`);
        }
        return;
      }
      case ValueKind.numericText:
        this.reserveBytes(numericTextBound(src, p));
        this.used += writeNumericText(src, p, this.values, this.used);
        this.offsets[row + 1] = this.used;
        return;
      case ValueKind.jsonb:
        if (src[p] !== JSONB_VERSION) throw new ValueError(this.name, `unknown jsonb binary version ${src[p]}`);
        this.appendBytes(src, p + 1, len - 1, row);
        return;
      default:
        this.appendBytes(src, p, len, row);
    }
  }

  private appendTimestamp(hi: number, lo: number, row: number): void {
    const at = row * 2;
    // ±infinity become ±INT64_MAX, DuckDB's timestamp infinities (Postgres' -infinity is INT64_MIN).
    if (hi === INT32_MAX && lo === 0xffffffff) {
      this.i32[at] = -1;
      this.i32[at + 1] = INT32_MAX;
      return;
    }
    if (hi === INT32_MIN && lo === 0) {
      this.i32[at] = 1;
      this.i32[at + 1] = INT32_MIN;
      return;
    }
    let sumLo = lo + PG_EPOCH_MICROS_LO;
    let carry = 0;
    if (sumLo >= 4294967296) {
      sumLo -= 4294967296;
      carry = 1;
    }
    const sumHi = hi + PG_EPOCH_MICROS_HI + carry;
    // The top 2^32 µs are kept free for the infinity sentinel.
    if (sumHi >= INT32_MAX) throw new ValueError(this.name, 'timestamp after 294247-01-10 does not fit Arrow microseconds since 1970');
    this.i32[at] = sumLo | 0;
    this.i32[at + 1] = sumHi;
  }

  private appendBytes(src: Buffer, p: number, len: number, row: number): void {
    this.reserveBytes(len);
    const v = this.values;
    const at = this.used;
    if (len < SHORT_COPY) for (let k = 0; k < len; k++) v[at + k] = src[p + k]!;
    else src.copy(v, at, p, p + len);
    this.used = at + len;
    this.offsets[row + 1] = this.used;
  }

  /** Array wire format: ndim, has-null flag, element oid, per dimension (size, lower bound), elements. */
  private appendArray(src: Buffer, p: number, len: number, row: number): void {
    const child = this.child!;
    const ndim = int32(src, p);
    if (ndim > 1) throw new ValueError(this.name, `a ${ndim}-dimensional array; the lake stores 1-dimensional arrays only`);
    let q = p + 12;
    const count = ndim === 1 ? int32(src, q) : 0;
    q += ndim * 8;
    for (let i = 0; i < count; i++) {
      const elen = int32(src, q);
      q += 4;
      if (elen < 0) child.appendNull();
      else {
        child.append(src, q, elen);
        q += elen;
      }
    }
    if (q !== p + len) throw new ValueError(this.name, 'malformed array value');
    this.offsets[row + 1] = child.length;
  }

  /**
   * Before the first value of a batch that reuses the previous batch's buffers (whose
   * data stays intact until now): bits are only ever set, so the used bitmaps are cleared.
   */
  recycle(): void {
    if (this.dirtyBits === 0) return;
    if (this.dirtyValidity) this.validity.fill(0xff, 0, this.dirtyBits);
    if (this.kind === ValueKind.bool && !this.isList) this.values.fill(0, 0, this.dirtyBits);
    this.dirtyBits = 0;
    this.dirtyValidity = false;
    this.child?.recycle();
  }

  /**
   * The column so far as Arrow data. The builder then starts over: in fresh buffers, or
   * with `reuse` in the same ones (call `recycle` before the next value), which the
   * returned data keeps pointing at.
   */
  finish(reuse = false): Data {
    const n = this.length;
    const validity = this.nullCount > 0 ? this.validity.subarray(0, (n + 7) >> 3) : undefined;
    const children = this.child ? [this.child.finish(reuse)] : [];
    const offsets = this.hasOffsets ? this.offsets.subarray(0, n + 1) : undefined;
    const data = new Data(this.type, 0, n, this.nullCount, { 0: offsets, 1: this.finalValues(n), 2: validity }, children);
    if (reuse) {
      this.dirtyBits = (n + 7) >> 3;
      this.dirtyValidity = this.nullCount > 0;
    }
    else {
      if (this.hasOffsets && !this.isList) this.bytesHint = Math.max(1024, Math.ceil(this.used * 1.25));
      this.allocate();
    }
    this.length = 0;
    this.nullCount = 0;
    this.used = 0;
    return data;
  }

  private finalValues(n: number): ArrayBufferView | undefined {
    const buf = this.values.buffer;
    if (this.isList) return undefined;
    switch (this.kind) {
      case ValueKind.int2:
        return new Int16Array(buf, 0, n);
      case ValueKind.int4:
      case ValueKind.date:
        return new Int32Array(buf, 0, n);
      case ValueKind.int8:
      case ValueKind.timestamp:
        return new BigInt64Array(buf, 0, n);
      case ValueKind.float4:
        return new Float32Array(buf, 0, n);
      case ValueKind.float8:
        return new Float64Array(buf, 0, n);
      case ValueKind.decimal:
        return new Uint32Array(buf, 0, n * 4);
      case ValueKind.bool:
        return this.values.subarray(0, (n + 7) >> 3);
      default:
        return this.values.subarray(0, this.used);
    }
  }
}
