import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecordBatch } from 'apache-arrow';
import { BinaryCopyDecoder, CopyFormatError } from './copy-binary-decoder.ts';
import { BinaryCopyEncoder } from './copy-binary-encoder.ts';
import type { ColumnSpec } from './pg-columns.ts';
import { encodeNumeric } from './pg-numeric.ts';
import { planColumn } from './type-mapping.ts';

const specs: ColumnSpec[] = [
  { name: 'id', typeOid: 20, typmod: -1, typeName: 'bigint' },
  { name: 'small', typeOid: 21, typmod: -1, typeName: 'smallint' },
  { name: 'body', typeOid: 25, typmod: -1, typeName: 'text' },
  { name: 'flag', typeOid: 16, typmod: -1, typeName: 'boolean' },
  { name: 'score', typeOid: 701, typmod: -1, typeName: 'double precision' },
  { name: 'day', typeOid: 1082, typmod: -1, typeName: 'date' },
  { name: 'at', typeOid: 1184, typmod: -1, typeName: 'timestamp with time zone' },
  { name: 'price', typeOid: 1700, typmod: ((10 << 16) | 2) + 4, typeName: 'numeric(10,2)' },
  { name: 'tags', typeOid: 1009, typmod: -1, typeName: 'text[]' },
  { name: 'doc', typeOid: 3802, typmod: -1, typeName: 'jsonb' },
];
const plans = specs.map(planColumn);

/** Binary COPY bytes written by hand, the way Postgres sends them. */
class CopyBytes {
  private parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0', 'latin1')];
  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    this.parts.push(b);
    return this;
  }
  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }
  field(bytes: Uint8Array | null): this {
    if (bytes === null) return this.int32(-1);
    this.int32(bytes.length);
    this.parts.push(Buffer.from(bytes));
    return this;
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const be = (size: number, write: (b: Buffer) => void): Buffer => {
  const b = Buffer.alloc(size);
  write(b);
  return b;
};
const text = (s: string): Buffer => Buffer.from(s, 'utf8');
function textArray(items: (string | null)[]): Buffer {
  const head = be(items.length ? 20 : 12, (b) => {
    b.writeInt32BE(items.length ? 1 : 0, 0);
    b.writeInt32BE(items.includes(null) ? 1 : 0, 4);
    b.writeInt32BE(25, 8);
    if (items.length) {
      b.writeInt32BE(items.length, 12);
      b.writeInt32BE(1, 16);
    }
  });
  const elems = items.map((s) => (s === null ? be(4, (b) => b.writeInt32BE(-1)) : Buffer.concat([be(4, (b) => b.writeInt32BE(Buffer.byteLength(s))), text(s)])));
  return Buffer.concat([head, ...elems]);
}

const ROWS = 11;
function sample(): Buffer {
  const w = new CopyBytes();
  for (let i = 0; i < ROWS; i++) {
    w.int16(specs.length);
    w.field(be(8, (b) => b.writeBigInt64BE(i === 1 ? -(2n ** 63n) : BigInt(i) * 1_000_000_007n)));
    w.field(i % 4 === 3 ? null : be(2, (b) => b.writeInt16BE(i === 2 ? -32768 : i)));
    w.field(i % 5 === 4 ? null : text(`review ${i} ${'é🎉'.repeat(i)}`));
    w.field(i % 3 === 2 ? null : Buffer.from([i % 2]));
    w.field(be(8, (b) => b.writeDoubleBE(i === 0 ? Number.NaN : i === 1 ? -Infinity : i / 3)));
    w.field(be(4, (b) => b.writeInt32BE(i === 0 ? 0x7fffffff : i === 1 ? -0x80000000 : -800_000 + i * 100_000)));
    w.field(be(8, (b) => b.writeBigInt64BE(i === 0 ? 2n ** 63n - 1n : BigInt(i) * 86_400_000_000n + 123_456n)));
    w.field(i % 6 === 5 ? null : encodeNumeric(i % 2 ? `-${i}.0${i % 10}` : `${i * 1000}.50`));
    w.field(i % 7 === 6 ? null : textArray(i % 3 === 0 ? [] : ['a', null, `t${i}`]));
    w.field(Buffer.concat([Buffer.from([1]), text(`{"n": ${i}}`)]));
  }
  return Buffer.concat([w.bytes(), be(2, (b) => b.writeInt16BE(-1))]);
}

function decodeIn(chunks: Buffer[]): RecordBatch[] {
  const decoder = new BinaryCopyDecoder(plans, { rows: 4, bytes: 1 << 20 });
  const out: RecordBatch[] = [];
  for (const c of chunks) out.push(...decoder.push(c));
  out.push(...decoder.end());
  return out;
}

function encodeAll(batches: RecordBatch[]): Buffer {
  const encoder = new BinaryCopyEncoder(plans);
  const parts = batches.flatMap((b) => encoder.encode(b));
  return Buffer.concat([...parts, encoder.end()]);
}

test('decode → encode reproduces Postgres binary COPY byte for byte', () => {
  const bytes = sample();
  const batches = decodeIn([bytes]);
  assert.deepEqual(
    batches.map((b) => b.numRows),
    [4, 4, 3],
  );
  assert.ok(encodeAll(batches).equals(bytes));
});

test('reused buffers hold each batch until the next is asked for', () => {
  const bytes = sample();
  const decoder = new BinaryCopyDecoder(plans, { rows: 3, bytes: 1 << 20 }, true);
  const encoder = new BinaryCopyEncoder(plans);
  const parts: Uint8Array[] = [];
  for (const chunk of [bytes.subarray(0, 200), bytes.subarray(200)]) {
    for (const batch of decoder.push(chunk)) parts.push(...encoder.encode(batch));
  }
  for (const batch of decoder.end()) parts.push(...encoder.encode(batch));
  assert.ok(Buffer.concat([...parts, encoder.end()]).equals(bytes));
});

test('tuples and headers split at any byte boundary decode identically', () => {
  const bytes = sample();
  const whole = encodeAll(decodeIn([bytes]));
  const oneByte = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
  assert.ok(encodeAll(decodeIn(oneByte)).equals(whole));
  let seed = 7;
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const size = 1 + (seed % 97);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  assert.ok(encodeAll(decodeIn(chunks)).equals(whole));
});

test('values land in Arrow as the lake contract says', () => {
  const [first] = decodeIn([sample()]);
  const row = (i: number) => {
    const r = first!.get(i)!;
    return Object.fromEntries(['id', 'small', 'body', 'flag', 'score', 'day', 'doc'].map((k) => [k, r[k]]));
  };
  assert.equal(row(1).id, -(2n ** 63n));
  assert.equal(row(2).small, -32768);
  assert.equal(row(3).small, null);
  assert.equal(row(2).body, 'review 2 é🎉é🎉');
  assert.ok(Number.isNaN(row(0).score as number));
  assert.equal(row(2).day, (-800_000 + 200_000 + 10957) * 86_400_000, 'Date32 days shifted to the unix epoch (arrow JS shows ms)');
  const at = first!.getChild('at')!.data[0]!.values as BigInt64Array;
  assert.equal(at[0], 2n ** 63n - 1n, '+infinity becomes INT64_MAX');
  assert.equal(at[1], 86_400_000_000n + 123_456n + 946_684_800_000_000n, 'µs shifted to the unix epoch');
  const days = first!.getChild('day')!.data[0]!.values as Int32Array;
  assert.deepEqual([days[0], days[1]], [2 ** 31 - 1, -(2 ** 31 - 1)], '±infinity become ±INT32_MAX');
  assert.equal(String(first!.getChild('tags')!.get(1)!.toArray()), 'a,,t1');
  assert.equal(row(2).doc, '{"n": 2}', 'jsonb loses its version byte');
  assert.equal(row(0).flag, false);
  assert.equal(row(2).flag, null);
});

test('a stream cut short or of the wrong shape is an error, not a short table', () => {
  const bytes = sample();
  assert.throws(() => decodeIn([bytes.subarray(0, bytes.length - 2)]), CopyFormatError);
  assert.throws(() => decodeIn([bytes.subarray(0, 100)]), /without its trailer/);
  assert.throws(() => decodeIn([Buffer.from('hello, world, not copy data')]), /bad signature/);
  const narrow = new BinaryCopyDecoder(plans.slice(0, 3));
  assert.throws(() => [...narrow.push(bytes)], /10 fields, expected 3/);
});
