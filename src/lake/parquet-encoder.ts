/**
 * Arrow IPC record batches in, a parquet file out, through parquet-wasm's streaming
 * writer. Runs in the parquet worker thread or inline; it imports nothing from
 * apache-arrow so the worker starts quickly.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { ioFailure } from '../core/io-errors.ts';
import type { ColumnEncodings } from './column-encodings.ts';
import { loadParquetWasm, type ParquetWasm } from './parquet-wasm.ts';

export type ParquetCompression = 'zstd' | 'snappy' | 'none';

export interface ParquetWriterSettings {
  compression: ParquetCompression;
  /** Rows per row group: readers skip and parallelise by row group… */
  rowGroupRows: number;
  /** …and bytes, which bounds the writer's memory however wide the rows are. */
  rowGroupBytes: number;
  /** Stored in the file footer's key-value metadata. */
  metadata: Record<string, string>;
  /** Per-column choices (column-encodings.ts); the writers make them from the first batch when absent. */
  columns?: ColumnEncodings;
}

/** What was written: the caller records both in the manifest. */
export interface EncodedFile {
  bytes: number;
  sha256: string;
}

/**
 * Snappy, as DuckDB, Spark and pyarrow write by default: parquet-wasm's zstd (level 1, in
 * WebAssembly) cost ≈ 6 of the 24 CPU s that encoding the 1M-review gold took, for files a
 * third smaller (144 against 213 MiB; docs/scaling.md).
 */
export const DEFAULT_PARQUET_SETTINGS: ParquetWriterSettings = { compression: 'snappy', rowGroupRows: 131_072, rowGroupBytes: 32 * 1024 * 1024, metadata: {} };

/**
 * A dictionary is only worth it for low-cardinality columns; capping its page at 64 KiB
 * makes high-cardinality ones (ids, free text) fall back to plain encoding early instead
 * of hashing a whole row group, which more than halves encoding time.
 */
export const DICTIONARY_PAGE_LIMIT = 64 * 1024;

function writerProperties(pw: ParquetWasm, s: ParquetWriterSettings) {
  const codecs = { zstd: pw.Compression.ZSTD, snappy: pw.Compression.SNAPPY, none: pw.Compression.UNCOMPRESSED };
  let builder = new pw.WriterPropertiesBuilder();
  for (const name of s.columns?.plain ?? []) builder = builder.setColumnDictionaryEnabled(name, false);
  for (const name of s.columns?.noStatistics ?? []) builder = builder.setColumnStatisticsEnabled(name, pw.EnabledStatistics.None);
  return (
    builder
      .setCompression(codecs[s.compression])
      .setMaxRowGroupSize(s.rowGroupRows)
      .setMaxRowGroupBytes(s.rowGroupBytes)
      .setDictionaryPageSizeLimit(DICTIONARY_PAGE_LIMIT)
      .setStatisticsEnabled(pw.EnabledStatistics.Chunk)
      // Data page v1: the one every reader (Spark included) handles.
      .setWriterVersion(pw.WriterVersion.V1)
      .setCreatedBy('strata (parquet-wasm)')
      .setKeyValueMetadata(new Map(Object.entries(s.metadata)))
      .build()
  );
}

/**
 * One parquet file being written. `push` resolves once parquet-wasm has copied the batch
 * into its own memory, so a producer awaiting it never runs more than one batch ahead and
 * may reuse the bytes it pushed.
 */
export class ParquetFileEncoder {
  private queued: Uint8Array | null | undefined;
  private wake: (() => void) | null = null;
  private taken: (() => void) | null = null;
  private readonly done: Promise<EncodedFile>;
  private failure: Error | null = null;

  private constructor(
    private readonly pw: ParquetWasm,
    private readonly file: FileHandle,
    private readonly path: string,
    settings: ParquetWriterSettings,
  ) {
    const source = new ReadableStream(
      {
        pull: async (controller) => {
          const ipc = await this.next();
          if (ipc === null) {
            controller.close();
            return;
          }
          const table = pw.Table.fromIPCStream(ipc);
          // Copied into WebAssembly memory: the producer may now reuse the bytes.
          this.release();
          const batch = table.recordBatch(0);
          // Free eagerly: wasm memory never shrinks, so waiting for GC finalizers inflates it.
          table.free();
          controller.enqueue(batch);
        },
      },
      { highWaterMark: 0 },
    );
    this.done = this.drain(source, settings).catch((err: unknown) => {
      this.failure = err instanceof Error ? err : new Error(String(err));
      this.release();
      throw this.failure;
    });
    // The caller learns of a failure from push/finish; don't let it surface as unhandled.
    this.done.catch(() => undefined);
  }

  static async create(path: string, settings: ParquetWriterSettings): Promise<ParquetFileEncoder> {
    const pw = await loadParquetWasm();
    try {
      return new ParquetFileEncoder(pw, await open(path, 'wx'), path, settings);
    } catch (err) {
      throw ioFailure('create', path, err);
    }
  }

  private async drain(source: ReadableStream, settings: ParquetWriterSettings): Promise<EncodedFile> {
    try {
      const out = await this.pw.transformParquetStream(source, writerProperties(this.pw, settings));
      const hash = createHash('sha256');
      let bytes = 0;
      const reader = (out as ReadableStream<Uint8Array>).getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          hash.update(value);
          await this.writeAll(value);
          bytes += value.byteLength;
        }
      } catch (err) {
        // Unblocks parquet-wasm's writer task, which then runs to its end instead of hanging.
        await reader.cancel(err).catch(() => undefined);
        throw ioFailure('write', this.path, err);
      }
      await this.file.sync().catch((err: unknown) => {
        throw ioFailure('write', this.path, err);
      });
      return { bytes, sha256: hash.digest('hex') };
    } finally {
      await this.file.close().catch(() => undefined);
    }
  }

  /**
   * A full disk first shows as a short write, not an error: only writing the rest brings
   * the ENOSPC. Stopping at the short count would leave a file cut off mid-footer.
   */
  private async writeAll(data: Uint8Array): Promise<void> {
    for (let at = 0; at < data.byteLength; ) {
      const { bytesWritten } = await this.file.write(data, at, data.byteLength - at);
      at += bytesWritten;
    }
  }

  /** The next batch for parquet-wasm; null ends the file (also after an abort). */
  private next(): Promise<Uint8Array | null> {
    const take = (): Uint8Array | null => {
      const ipc = this.failure ? null : (this.queued ?? null);
      this.queued = undefined;
      // A batch is released once parquet-wasm has copied it (in `pull`), the end at once.
      if (ipc === null) this.release();
      return ipc;
    };
    if (this.queued !== undefined || this.failure) return Promise.resolve(take());
    return new Promise((resolve) => {
      this.wake = () => resolve(take());
    });
  }

  private hand(ipc: Uint8Array | null): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve) => {
      this.queued = ipc;
      this.taken = () => {
        this.taken = null;
        resolve();
      };
      this.rouse();
    }).then(() => {
      if (this.failure) throw this.failure;
    });
  }

  /** Lets the producer's `push` resolve. */
  private release(): void {
    this.taken?.();
  }

  private rouse(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** One record batch as an Arrow IPC stream (schema + batch). */
  push(ipc: Uint8Array): Promise<void> {
    return this.hand(ipc);
  }

  /** Ends the file; resolves once it is written and fsynced. */
  async finish(): Promise<EncodedFile> {
    await this.hand(null);
    return this.done;
  }

  /** Ends the file early and waits until it is closed; the caller removes it. */
  async abort(): Promise<void> {
    this.failure ??= new Error('aborted');
    this.rouse();
    await this.done.catch(() => undefined);
  }
}
