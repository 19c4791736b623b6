import type { Worker } from 'node:worker_threads';
import type { RecordBatch } from 'apache-arrow';
import { IpcBuffer, toIpc } from './arrow-ipc.ts';
import { chooseEncodings } from './column-encodings.ts';
import { DEFAULT_PARQUET_SETTINGS, DICTIONARY_PAGE_LIMIT, ParquetFileEncoder, type EncodedFile, type ParquetWriterSettings } from './parquet-encoder.ts';
import type { FromWorker, ToWorker } from './parquet-worker.ts';
import { Inbox, startWorker } from '../core/worker-thread.ts';

export interface WrittenFile extends EncodedFile {
  rows: number;
}

/**
 * Writes record batch streams to parquet files; `close` releases its thread, if any.
 * Each batch is serialised before the next is asked for, so a producer may reuse buffers.
 */
export interface ParquetWriter {
  write(path: string, batches: AsyncIterable<RecordBatch>, settings?: Partial<ParquetWriterSettings>): Promise<WrittenFile>;
  close(): Promise<void>;
}

/**
 * `worker` encodes parquet on a second thread while this one decodes COPY data (the
 * default: about twice as fast on two cores); `inline` does both here.
 */
export type EncoderThread = 'worker' | 'inline';

/** Batches (of a few MiB each) handed to the worker and not yet taken by the encoder. */
const MAX_IN_FLIGHT = 4;

function settingsWith(overrides: Partial<ParquetWriterSettings> | undefined): ParquetWriterSettings {
  return { ...DEFAULT_PARQUET_SETTINGS, ...overrides };
}

/**
 * The batches, and the settings completed with the per-column encodings chosen from the
 * first batch (which is why the file is only opened once that batch is in hand).
 */
async function firstBatch(
  batches: AsyncIterable<RecordBatch>,
  overrides: Partial<ParquetWriterSettings> | undefined,
): Promise<{ settings: ParquetWriterSettings; rest: AsyncIterator<RecordBatch>; first: RecordBatch | null }> {
  const settings = settingsWith(overrides);
  const rest = batches[Symbol.asyncIterator]();
  const head = await rest.next();
  const first = head.done ? null : head.value;
  if (first && !settings.columns) settings.columns = chooseEncodings(first, DICTIONARY_PAGE_LIMIT);
  return { settings, rest, first };
}

/** `first`, then the rest of the iterator, which is closed however the consumer stops. */
async function* resume(first: RecordBatch | null, rest: AsyncIterator<RecordBatch>): AsyncGenerator<RecordBatch> {
  try {
    if (!first) return;
    yield first;
    for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value;
  } finally {
    await rest.return?.();
  }
}

export function createParquetWriter(thread: EncoderThread = 'worker'): ParquetWriter {
  return thread === 'worker' ? new WorkerParquetWriter() : new InlineParquetWriter();
}

class InlineParquetWriter implements ParquetWriter {
  /** parquet-wasm has copied each batch's bytes by the time `push` resolves: one buffer serves them all. */
  private readonly ipc = new IpcBuffer();

  async write(path: string, batches: AsyncIterable<RecordBatch>, settings?: Partial<ParquetWriterSettings>): Promise<WrittenFile> {
    const { settings: complete, rest, first } = await firstBatch(batches, settings);
    const encoder = await ParquetFileEncoder.create(path, complete);
    let rows = 0;
    try {
      for await (const batch of resume(first, rest)) {
        rows += batch.numRows;
        await encoder.push(this.ipc.serialise(batch));
      }
      return { ...(await encoder.finish()), rows };
    } catch (err) {
      await encoder.abort();
      throw err;
    }
  }

  async close(): Promise<void> {}
}

class WorkerParquetWriter implements ParquetWriter {
  private worker: Worker | null = null;
  private inbox = new Inbox<FromWorker>();
  private crashed = false;

  constructor() {
    // Started now: loading the worker overlaps whatever the caller does before writing.
    this.start();
  }

  private start(): Worker {
    if (this.worker && !this.crashed) return this.worker;
    const worker = startWorker(new URL('./parquet-worker.ts', import.meta.url));
    this.inbox = new Inbox<FromWorker>();
    this.crashed = false;
    worker.on('message', (msg: FromWorker) => this.inbox.put(msg));
    const crash = (message: string): void => {
      if (this.worker !== worker || this.crashed) return;
      this.crashed = true;
      this.inbox.put({ type: 'failed', message: `parquet worker: ${message}` });
    };
    worker.on('error', (err) => crash(err.message));
    worker.on('exit', (code) => crash(`exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  private post(worker: Worker, msg: ToWorker): void {
    if (msg.type === 'batch') worker.postMessage(msg, [msg.ipc.buffer as ArrayBuffer]);
    else worker.postMessage(msg);
  }

  /** Waits for `type`, counting acknowledgements on the way; a failure throws. */
  private async until(type: 'taken' | 'finished' | 'aborted'): Promise<FromWorker> {
    for (;;) {
      const msg = await this.inbox.next();
      if (msg.type === 'failed') throw new Error(msg.message);
      if (msg.type === type) return msg;
    }
  }

  async write(path: string, batches: AsyncIterable<RecordBatch>, settings?: Partial<ParquetWriterSettings>): Promise<WrittenFile> {
    const worker = this.start();
    const { settings: complete, rest, first } = await firstBatch(batches, settings);
    this.post(worker, { type: 'open', path, settings: complete });
    let rows = 0;
    let inFlight = 0;
    try {
      for await (const batch of resume(first, rest)) {
        rows += batch.numRows;
        this.post(worker, { type: 'batch', ipc: toIpc(batch) });
        if (++inFlight >= MAX_IN_FLIGHT) {
          await this.until('taken');
          inFlight--;
        }
      }
      this.post(worker, { type: 'finish' });
      const done = await this.until('finished');
      if (done.type !== 'finished') throw new Error(`parquet worker answered ${done.type}`);
      return { ...done.file, rows };
    } catch (err) {
      if (!this.crashed) {
        this.post(worker, { type: 'abort' });
        await this.until('aborted').catch(() => undefined);
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }
}
