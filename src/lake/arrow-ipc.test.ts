import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RecordBatch, Table, TimeUnit, Timestamp, vectorFromArray, Int32, Utf8 } from 'apache-arrow';
import fc from 'fast-check';
import { IpcBuffer, toIpc } from './arrow-ipc.ts';
import { DEFAULT_PARQUET_SETTINGS, ParquetFileEncoder } from './parquet-encoder.ts';
import { readParquetBatches } from './parquet-reader.ts';

interface Row {
  id: number | null;
  name: string | null;
  at: number | null;
}

const row = fc.record({
  id: fc.option(fc.integer(), { nil: null }),
  // Multibyte text: UTF-8 offsets and bytes must land as apache-arrow lays them out.
  name: fc.option(fc.string({ unit: 'grapheme', maxLength: 12 }), { nil: null }),
  at: fc.option(fc.integer({ min: -2e12, max: 4e12 }), { nil: null }),
});

function batchOf(rows: Row[]): RecordBatch {
  return new Table({
    id: vectorFromArray(rows.map((r) => r.id), new Int32()),
    name: vectorFromArray(rows.map((r) => r.name), new Utf8()),
    at: vectorFromArray(rows.map((r) => r.at), new Timestamp(TimeUnit.MILLISECOND)),
  }).batches[0]!;
}

test('a reused IPC buffer holds the very bytes apache-arrow writes for each batch', () => {
  const ipc = new IpcBuffer();
  fc.assert(
    fc.property(fc.array(fc.array(row, { minLength: 1, maxLength: 200 }), { minLength: 1, maxLength: 4 }), (batches) => {
      for (const rows of batches) {
        const batch = batchOf(rows);
        assert.deepEqual(ipc.serialise(batch), toIpc(batch));
      }
    }),
    { numRuns: 100 },
  );
});

test('bytes pushed to the parquet encoder may be overwritten as soon as push resolves', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-ipc-'));
  try {
    const path = join(dir, 'reused.parquet');
    const encoder = await ParquetFileEncoder.create(path, DEFAULT_PARQUET_SETTINGS);
    const ipc = new IpcBuffer();
    const sent: Row[] = [];
    for (let b = 0; b < 5; b++) {
      const rows = Array.from({ length: 3000 }, (_, i) => ({ id: b * 3000 + i, name: `ü${b}-${i}`, at: i % 7 === 0 ? null : 1_700_000_000_000 + i }));
      const bytes = ipc.serialise(batchOf(rows));
      await encoder.push(bytes);
      // What a producer reusing its buffer does next: the encoder must have its own copy by now.
      bytes.fill(0xff);
      sent.push(...rows);
    }
    await encoder.finish();
    const back: Row[] = [];
    for await (const batch of readParquetBatches(path)) {
      for (const r of batch.toArray()) back.push({ id: r.id, name: r.name, at: r.at === null ? null : Number(r.at) });
    }
    assert.deepEqual(back, sent);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
