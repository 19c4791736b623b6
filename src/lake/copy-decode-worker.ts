/**
 * Worker thread: decodes the binary COPY bytes the main thread streams to it and encodes
 * them as parquet, one file at a time, on this same thread (several tables are exported at
 * once, one per worker: a second thread per table cost more CPU and memory than it saved).
 * The main thread is then left with reading the socket.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../core/thread-priority.ts';
import { decodeCopyStream, type BatchLimits } from './copy-binary-decoder.ts';
import type { ParquetWriterSettings } from './parquet-encoder.ts';
import { createParquetWriter, type WrittenFile } from './parquet-writer.ts';
import type { ColumnSpec } from './pg-columns.ts';
import { planColumn } from './type-mapping.ts';

export interface DecoderOptions {
  /** Run at the lowest CPU priority. */
  lowPriority?: boolean;
}

export type ToDecoder =
  | { type: 'open'; path: string; columns: ColumnSpec[]; settings: Partial<ParquetWriterSettings>; limits?: BatchLimits }
  | { type: 'chunk'; bytes: Uint8Array }
  | { type: 'end' }
  | { type: 'abort' };

export type FromDecoder =
  /** A chunk was taken; `spare` is the buffer of the one before, decoded and free to be filled again. */
  | { type: 'taken'; spare?: ArrayBuffer }
  | { type: 'finished'; file: WrittenFile }
  | { type: 'failed'; message: string }
  | { type: 'aborted' };

const port = parentPort;
if (!port) throw new Error('copy-decode-worker.ts runs as a worker thread');
// An export beside a build takes the CPU its models leave.
if ((workerData as DecoderOptions | undefined)?.lowPriority) lowerThreadPriority();

function reply(msg: FromDecoder): void {
  if (msg.type === 'taken' && msg.spare) port!.postMessage(msg, [msg.spare]);
  else port!.postMessage(msg);
}

/** The chunks of the file being written, as the decoder pulls them; each one pulled is acknowledged. */
class ChunkFeed implements AsyncIterable<Uint8Array> {
  private readonly chunks: Uint8Array[] = [];
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  put(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.rouse();
  }

  end(): void {
    this.ended = true;
    this.rouse();
  }

  fail(err: Error): void {
    this.failure = err;
    this.rouse();
  }

  private rouse(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    // The decoder is done with a chunk once it asks for the next (it copies what it keeps).
    let done: Uint8Array | null = null;
    for (;;) {
      if (this.failure) throw this.failure;
      const chunk = this.chunks.shift();
      if (chunk) {
        const spare = done && done.byteOffset === 0 ? (done.buffer as ArrayBuffer) : undefined;
        reply(spare ? { type: 'taken', spare } : { type: 'taken' });
        done = chunk;
        yield chunk;
      } else if (this.ended) return;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

const writer = createParquetWriter('inline');
let feed: ChunkFeed | null = null;
let job: Promise<void> = Promise.resolve();

port.on('message', (msg: ToDecoder) => {
  if (msg.type === 'open') {
    const mine = new ChunkFeed();
    feed = mine;
    const plans = msg.columns.map(planColumn);
    // The decoder reuses its buffers: the writer serialises each batch before pulling the next.
    job = writer.write(msg.path, decodeCopyStream(mine, plans, msg.limits, true), msg.settings).then(
      (file) => reply({ type: 'finished', file }),
      (err: unknown) => {
        // After an abort the main thread waits for `aborted`, not for the reason.
        if (feed === mine) reply({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
      },
    );
    return;
  }
  if (msg.type === 'abort') {
    const aborted = feed;
    feed = null;
    aborted?.fail(new Error('aborted'));
    void job.then(() => reply({ type: 'aborted' }));
    return;
  }
  if (msg.type === 'chunk') feed?.put(msg.bytes);
  else feed?.end();
});
