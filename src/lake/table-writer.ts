import type { Worker } from 'node:worker_threads';
import type { DecoderOptions, FromDecoder, ToDecoder } from './copy-decode-worker.ts';
import { decodeCopyStream, type BatchLimits } from './copy-binary-decoder.ts';
import type { ParquetWriterSettings } from './parquet-encoder.ts';
import type { ParquetWriter, WrittenFile } from './parquet-writer.ts';
import type { ColumnSpec } from './pg-columns.ts';
import { planColumn } from './type-mapping.ts';
import { Inbox, startWorker } from '../core/worker-thread.ts';

/** One table's binary COPY stream (of `columns`, as the lake selects them) into one parquet file. */
export interface TableFileRequest {
  path: string;
  columns: readonly ColumnSpec[];
  copy: AsyncIterable<Uint8Array>;
  settings?: Partial<ParquetWriterSettings>;
  limits?: BatchLimits;
}

/** Writes tables' COPY streams to parquet files, one at a time; `close` releases its threads. */
export interface TableFileWriter {
  write(req: TableFileRequest): Promise<WrittenFile>;
  close(): Promise<void>;
}

/** Decodes on this thread; `parquet` encodes (on its own thread or this one). */
export function decodeHere(parquet: ParquetWriter): TableFileWriter {
  return {
    // Buffers are reused: the writer serialises each batch before asking for the next.
    write: (req) => parquet.write(req.path, decodeCopyStream(req.copy, req.columns.map(planColumn), req.limits, true), req.settings),
    close: () => parquet.close(),
  };
}

/**
 * Chunks handed to the worker are gathered to this size: fewer messages (each one wakes a
 * thread), and buffers of its own to transfer, which come back to be filled again.
 */
const CHUNK_BYTES = 1024 * 1024;
/** Chunks handed over and not yet taken by the decoder: bounds memory. */
const MAX_IN_FLIGHT = 8;

/**
 * Decodes and encodes on a worker thread (copy-decode-worker.ts): this thread only reads
 * the socket and hands the bytes on. With several tables exported at once, their decoding
 * no longer queues on one thread.
 */
export function decodeInWorker(options: DecoderOptions = {}): TableFileWriter {
  return new DecodingWorker(options);
}

class DecodingWorker implements TableFileWriter {
  private readonly worker: Worker;
  private readonly inbox = new Inbox<FromDecoder>();
  /** Buffers the worker is done with, to fill again instead of allocating (and collecting) new ones. */
  private readonly spare: Uint8Array[] = [];
  private crashed = false;

  constructor(options: DecoderOptions) {
    // Started now: loading its modules overlaps whatever the caller does before writing.
    this.worker = startWorker(new URL('./copy-decode-worker.ts', import.meta.url), options);
    this.worker.on('message', (msg: FromDecoder) => {
      if (msg.type === 'taken' && msg.spare) this.spare.push(new Uint8Array(msg.spare));
      this.inbox.put(msg);
    });
    const crash = (message: string): void => {
      if (this.crashed) return;
      this.crashed = true;
      this.inbox.put({ type: 'failed', message: `COPY decoding worker: ${message}` });
    };
    this.worker.on('error', (err) => crash(err.message));
    this.worker.on('exit', (code) => crash(`exited with code ${code}`));
  }

  private post(msg: ToDecoder): void {
    if (msg.type === 'chunk') this.worker.postMessage(msg, [msg.bytes.buffer as ArrayBuffer]);
    else this.worker.postMessage(msg);
  }

  /** Waits for `type`, skipping acknowledgements on the way; a failure throws. */
  private async until(type: FromDecoder['type']): Promise<FromDecoder> {
    for (;;) {
      const msg = await this.inbox.next();
      if (msg.type === type) return msg;
      if (msg.type === 'failed') throw new Error(msg.message);
    }
  }

  async write(req: TableFileRequest): Promise<WrittenFile> {
    if (this.crashed) throw new Error('COPY decoding worker: not running');
    this.post({ type: 'open', path: req.path, columns: [...req.columns], settings: req.settings ?? {}, ...(req.limits ? { limits: req.limits } : {}) });
    let inFlight = 0;
    const fresh = (): Uint8Array => this.spare.pop() ?? new Uint8Array(CHUNK_BYTES);
    let staged = fresh();
    let used = 0;
    const handOver = async (): Promise<void> => {
      // A copy the worker owns: the driver's chunks may share a pooled buffer.
      this.post({ type: 'chunk', bytes: staged.subarray(0, used) });
      staged = fresh();
      used = 0;
      if (++inFlight >= MAX_IN_FLIGHT) {
        await this.until('taken');
        inFlight--;
      }
    };
    try {
      for await (const chunk of req.copy) {
        for (let at = 0; at < chunk.byteLength; ) {
          const n = Math.min(chunk.byteLength - at, CHUNK_BYTES - used);
          staged.set(chunk.subarray(at, at + n), used);
          used += n;
          at += n;
          if (used === CHUNK_BYTES) await handOver();
        }
      }
      if (used > 0) await handOver();
      this.post({ type: 'end' });
      const done = await this.until('finished');
      if (done.type !== 'finished') throw new Error(`COPY decoding worker answered ${done.type}`);
      return done.file;
    } catch (err) {
      if (!this.crashed) {
        this.post({ type: 'abort' });
        await this.until('aborted').catch(() => undefined);
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    this.crashed = true;
    await this.worker.terminate();
  }
}
