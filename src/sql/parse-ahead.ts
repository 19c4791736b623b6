/**
 * Parsing ahead on a worker thread (sql/parse-ahead-worker.ts): for a compile of thousands
 * of models, PostgreSQL's parser (WebAssembly) runs beside the main thread's analysis, in
 * the order the models are analyzed. What crosses over is each tree's JSON text, not the
 * tree (cloning trees cost the main thread more than parsing them): the main thread only
 * runs `JSON.parse` on it, as libpg-query itself would. A model the worker has not reached
 * yet is parsed here as before (never waited for), and the worker skips what the main thread
 * has passed. The worker is started early (`start`, while the project is read and rendered)
 * and given its texts later (`parse`), so that its own start-up is not waited for either.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import type { ParseResult } from 'libpg-query';
import { startWorker } from '../core/worker-thread.ts';

/**
 * How far ahead of the main thread the worker may parse, in characters of the trees' JSON
 * that wait in memory until asked for (≈2 KB for a small model, 100 KB and more for a large
 * one): bounded by size, not count, so that the worker can be thousands of small models
 * ahead when the analysis begins (it gets the texts while the target/ files are handed out)
 * and stay ahead when it gets less CPU.
 */
export const AHEAD_CHARS = 16 * 2 ** 20;

export class ParseAhead {
  /** Each model's place in the worker's order. */
  private readonly places = new Map<string, number>();
  /** Trees received but not asked for yet (null: the worker could not parse it). */
  private readonly received = new Map<number, string | null>();

  private constructor(
    private readonly port: MessagePort,
    private readonly worker: Worker,
    /** How many texts the main thread has passed: the worker skips them, and parses ahead of them only so far. */
    private readonly passed: Int32Array,
  ) {}

  /** Starts the worker and its parser; undefined when no worker can be started. */
  static start(aheadChars = AHEAD_CHARS): ParseAhead | undefined {
    const { port1, port2 } = new MessageChannel();
    const passed = new Int32Array(new SharedArrayBuffer(4));
    let worker: Worker;
    try {
      worker = startWorker(new URL('./parse-ahead-worker.ts', import.meta.url), { port: port2, passed, aheadChars }, [port2]);
    } catch {
      return undefined;
    }
    worker.unref();
    // A worker that fails (its parser does not load) only leaves every model to the main thread.
    worker.on('error', () => undefined);
    return new ParseAhead(port1, worker, passed);
  }

  /** Each model's SQL to parse (its parseable text), in the order they will be asked for. */
  parse(sqls: ReadonlyMap<string, { readonly text: string }>): void {
    const texts: string[] = [];
    for (const [model, sql] of sqls) {
      this.places.set(model, this.places.size);
      texts.push(sql.text);
    }
    this.port.postMessage(texts);
  }

  /** The tree of the model's SQL when the worker has parsed it already (once); undefined otherwise (parse it here). */
  take(model: string): ParseResult | undefined {
    const place = this.places.get(model);
    if (place === undefined) return undefined;
    this.places.delete(model);
    if (Atomics.load(this.passed, 0) <= place) {
      Atomics.store(this.passed, 0, place + 1);
      Atomics.notify(this.passed, 0);
    }
    while (!this.received.has(place)) {
      const next = receiveMessageOnPort(this.port)?.message as [number, string | null][] | undefined;
      if (!next) return undefined;
      for (const [i, json] of next) if (i >= place) this.received.set(i, json);
    }
    const json = this.received.get(place)!;
    this.received.delete(place);
    return json === null ? undefined : (JSON.parse(json) as ParseResult);
  }

  /** The trees that have come from the worker and wait to be asked for, and the characters of their JSON. */
  waiting(): { trees: number; chars: number } {
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
      for (const [i, json] of m.message as [number, string | null][]) this.received.set(i, json);
    }
    let chars = 0;
    for (const json of this.received.values()) chars += json?.length ?? 0;
    return { trees: this.received.size, chars };
  }

  /** Resolves once the worker has posted every tree it was given and ended (kept alive till then). */
  finished(): Promise<void> {
    if (this.worker.threadId === -1) return Promise.resolve();
    this.worker.ref();
    return new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  /** Stops the worker (it may still be parsing texts nobody will ask for). */
  async close(): Promise<void> {
    this.port.close();
    await this.worker.terminate();
  }
}
