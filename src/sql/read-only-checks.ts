/**
 * The read-only check (read-only.ts) of a large project on two threads. Parsing every model
 * is most of a compile of 10,000 models (bench/compile.ts), and each model's verdict depends
 * on its SQL alone: a worker takes models from the end of the list while the main thread
 * takes them from the start, each claiming a model in a shared array before checking it,
 * so they meet wherever the load puts them and no model is checked twice. The main thread
 * waits for the worker's verdicts in order; a model the worker found at fault, or could not
 * check (failed, never started, too slow), is checked on the main thread: the worker can
 * save a parse, never skip one.
 *
 * The worker runs as a plain JavaScript bundle (core/worker-bundle.ts), so a worker started
 * under tsx does not load tsx again (≈0.5 s of CPU).
 */
import { Worker } from 'node:worker_threads';
import { workerBundle } from '../core/worker-bundle.ts';
import { CONTROL_FAILED, FREE, MAIN, PROBLEM, READS_ONLY, WORKER } from './read-only-states.ts';

/** Below this many models the worker's start-up (≈0.1 s of CPU) costs more than it saves. */
export const PARALLEL_CHECK_MIN_MODELS = 2000;

/** How long the main thread waits for one verdict before checking the model itself. */
const PATIENCE_MS = 10_000;

/** `check-here`: the main thread must run readModel itself (it took the model, or the worker could not). */
export type Verdict = 'reads-only' | 'check-here';

export class ReadOnlyChecks {
  private state = new Int32Array(new SharedArrayBuffer(0));
  private readonly failed: Int32Array;
  /** Once the worker has checked what it took, or stopped. */
  private readonly done: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    control: SharedArrayBuffer,
  ) {
    this.failed = new Int32Array(control);
    worker.on('error', () => Atomics.store(this.failed, CONTROL_FAILED, 1));
    this.done = new Promise((resolve) => {
      worker.once('message', () => resolve());
      worker.once('exit', () => resolve());
    });
    worker.unref();
  }

  /** Starts the worker (it loads the parser while the project renders); undefined when it cannot be. */
  static start(): ReadOnlyChecks | undefined {
    const file = workerBundle(new URL('./read-only-worker.ts', import.meta.url), 'read-only');
    if (!file) return undefined;
    const control = new SharedArrayBuffer(4);
    try {
      return new ReadOnlyChecks(new Worker(file, { workerData: { control } }), control);
    } catch {
      return undefined;
    }
  }

  /** The rendered SQL of the models, in the order `verdict` will be asked. */
  check(sqls: readonly string[]): void {
    this.state = new Int32Array(new SharedArrayBuffer(4 * sqls.length));
    this.worker.postMessage({ sqls, states: this.state.buffer });
  }

  /** Model `i`'s verdict; waits while the worker is checking it. */
  verdict(i: number): Verdict {
    if (Atomics.compareExchange(this.state, i, FREE, MAIN) === FREE) return 'check-here';
    for (let waited = 0; waited < PATIENCE_MS; waited += 50) {
      const s = Atomics.load(this.state, i);
      if (s === READS_ONLY) return 'reads-only';
      if (s === PROBLEM || Atomics.load(this.failed, CONTROL_FAILED) === 1) return 'check-here';
      Atomics.wait(this.state, i, WORKER, 50);
    }
    return 'check-here';
  }

  /** Waits until the worker has checked every model it took (or stopped): its verdicts are all in. */
  async settled(): Promise<void> {
    this.worker.ref();
    await this.done;
    this.worker.unref();
  }

  stop(): void {
    void this.worker.terminate();
  }
}
