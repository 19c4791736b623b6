import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type Transferable } from 'node:worker_threads';
import { workerBundle } from './worker-bundle.ts';

/**
 * Starts the module at `entry` (a .ts file of src/) in a worker thread, from a
 * plain JavaScript bundle of it (core/worker-bundle.ts): under tsx a worker starts its own
 * loader thread and resolves each module through it (0.61–0.71 CPU s for the decoding
 * worker, 0.18 bundled). When no bundle can be built or placed, Node 20 does not carry
 * tsx's loader into worker threads: the worker registers it first.
 */
export function startWorker(entry: URL, workerData?: unknown, transferList?: Transferable[]): Worker {
  const file = workerBundle(entry, basename(fileURLToPath(entry), '.ts'));
  const options = { workerData, ...(transferList ? { transferList } : {}) };
  if (file) return new Worker(file, options);
  const boot = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(entry.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), options);
}

/** Messages from a worker, awaited one at a time. */
export class Inbox<M> {
  private readonly messages: M[] = [];
  private waiting: ((msg: M) => void) | null = null;

  put(msg: M): void {
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting) waiting(msg);
    else this.messages.push(msg);
  }

  next(): Promise<M> {
    const msg = this.messages.shift();
    if (msg) return Promise.resolve(msg);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }
}
