import { openAsBlob } from 'node:fs';
import { tableFromIPC, type RecordBatch } from 'apache-arrow';
import type { ParquetFile, RecordBatch as WasmRecordBatch } from 'parquet-wasm/node';
import { loadParquetWasm } from './parquet-wasm.ts';

/** Opens a parquet file lazily: only the ranges read are loaded, never the whole file. */
async function openParquet(path: string): Promise<ParquetFile> {
  const { ParquetFile } = await loadParquetWasm();
  return ParquetFile.fromFile(await openAsBlob(path));
}

/** The row count the file's footer declares; throws when the footer is unreadable. */
export async function parquetRowCount(path: string): Promise<number> {
  const file = await openParquet(path);
  try {
    const meta = file.metadata();
    const rows = meta.fileMetadata().numRows();
    meta.free();
    return rows;
  } finally {
    file.free();
  }
}

/** The file's rows as Arrow record batches of at most `batchRows`, read one at a time. */
export async function* readParquetBatches(path: string, batchRows = 16_384): AsyncGenerator<RecordBatch> {
  const file = await openParquet(path);
  try {
    const stream = (await file.stream({ batchSize: batchRows })) as ReadableStream<WasmRecordBatch>;
    const reader = stream.getReader();
    let finished = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        yield* tableFromIPC(value.intoIPCStream()).batches;
      }
      finished = true;
    } finally {
      // A consumer that stops early must stop parquet-wasm's reading too.
      if (!finished) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  } finally {
    file.free();
  }
}
