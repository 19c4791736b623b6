/** Worker thread: encodes the parquet files the main thread streams to it, one at a time. */
import { parentPort } from 'node:worker_threads';
import { ParquetFileEncoder, type EncodedFile, type ParquetWriterSettings } from './parquet-encoder.ts';

export type ToWorker =
  | { type: 'open'; path: string; settings: ParquetWriterSettings }
  | { type: 'batch'; ipc: Uint8Array }
  | { type: 'finish' }
  | { type: 'abort' };

export type FromWorker = { type: 'taken' } | { type: 'finished'; file: EncodedFile } | { type: 'failed'; message: string } | { type: 'aborted' };

const port = parentPort;
if (!port) throw new Error('parquet-worker.ts runs as a worker thread');

let encoder: ParquetFileEncoder | null = null;
/** Set when the current file failed: its remaining messages are dropped until the next open. */
let failed = false;

function reply(msg: FromWorker): void {
  port!.postMessage(msg);
}

async function handle(msg: ToWorker): Promise<void> {
  if (msg.type === 'open') {
    failed = false;
    encoder = await ParquetFileEncoder.create(msg.path, msg.settings);
    return;
  }
  if (msg.type === 'abort') {
    await encoder?.abort();
    encoder = null;
    reply({ type: 'aborted' });
    return;
  }
  if (failed || !encoder) return;
  if (msg.type === 'batch') {
    await encoder.push(msg.ipc);
    reply({ type: 'taken' });
  } else {
    const file = await encoder.finish();
    encoder = null;
    reply({ type: 'finished', file });
  }
}

// Messages are handled strictly in order; a failure is reported once and poisons the file.
let chain = Promise.resolve();
port.on('message', (msg: ToWorker) => {
  chain = chain.then(() =>
    handle(msg).catch(async (err: unknown) => {
      failed = true;
      await encoder?.abort();
      encoder = null;
      reply({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    }),
  );
});
