import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { nodeModulesOf } from '../core/paths.ts';

/**
 * Starts the module at `entry` (a .ts file next to this one) in a worker thread. Node 20
 * does not carry tsx's loader into worker threads: the worker registers it first.
 */
export function startWorker(entry: URL): Worker {
  const boot = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(entry.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`));
}

/**
 * Starts `entry` from a bundle of it in plain JavaScript: under tsx, a worker's own loader
 * thread and the resolving of every module through it cost ≈0.6 s of CPU (0.2 s bundled),
 * and an export starts two. The bundle is built each time (≈0.1 s; so it can never be stale)
 * and kept under its content's hash in `node_modules/.cache/strata/workers/`, where its
 * packages resolve as from src/. Falls back to `startWorker` when it cannot be built or placed.
 */
export function startBundledWorker(entry: URL, name: string): Worker {
  if (!bundles.has(entry.href)) bundles.set(entry.href, workerBundle(entry, name));
  const file = bundles.get(entry.href);
  return file ? new Worker(file) : startWorker(entry);
}

/** The bundle of each entry this process built (null: it could not be), for the next worker of it. */
const bundles = new Map<string, string | null>();

/** The bundle of `entry` as a file, or null when it cannot be built or placed. */
export function workerBundle(entry: URL, name: string): string | null {
  try {
    const nodeModules = nodeModulesOf(import.meta.resolve('apache-arrow'));
    if (!nodeModules) return null;
    const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
    const out = buildSync({
      entryPoints: [fileURLToPath(entry)],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      write: false,
      logLevel: 'silent',
    });
    const text = out.outputFiles[0]!.text;
    const dir = join(nodeModules, '.cache', 'strata', 'workers');
    const file = join(dir, `${name}-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`);
    if (existsSync(file)) return file;
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, text);
    try {
      renameSync(tmp, file);
    } finally {
      rmSync(tmp, { force: true });
    }
    return file;
  } catch {
    return null;
  }
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
