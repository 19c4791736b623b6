import { Worker } from 'node:worker_threads';
import { workerBundle } from '../core/worker-bundle.ts';

/**
 * Starts the module at `entry` (a .ts file next to this one) in a worker thread. Node 20
 * does not carry tsx's loader into worker threads: the worker registers it first.
 */
export function startWorker(entry: URL): Worker {
  const boot = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(entry.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`));
}

/**
 * Starts `entry` from a plain JavaScript bundle of it (core/worker-bundle.ts): under tsx
 * starting one took 0.61–0.71 CPU s, bundled 0.18, and an export starts two. Falls back to
 * `startWorker` when the bundle cannot be built or placed.
 */
export function startBundledWorker(entry: URL, name: string): Worker {
  const file = workerBundle(entry, name);
  return file ? new Worker(file) : startWorker(entry);
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
