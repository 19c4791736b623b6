/**
 * The second thread of ReadOnlyChecks (read-only-checks.ts): takes the models from the end
 * of the list while the main thread takes them from the start, and writes each verdict into
 * the shared states. Runs as a bundle of src/sql alone (no tsx in the worker).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSqlParser } from './parser.ts';
import { readOnlyProblem } from './read-only.ts';
import { CONTROL_FAILED, FREE, PROBLEM, READS_ONLY, WORKER } from './read-only-states.ts';

const failed = new Int32Array((workerData as { control: SharedArrayBuffer }).control);

function checkFromTheEnd({ sqls, states }: { sqls: string[]; states: SharedArrayBuffer }): void {
  const state = new Int32Array(states);
  try {
    for (let i = sqls.length - 1; i >= 0; i--) {
      // Taken by the main thread: so is every model before it.
      if (Atomics.compareExchange(state, i, FREE, WORKER) !== FREE) break;
      Atomics.store(state, i, readOnlyProblem(sqls[i]!) ? PROBLEM : READS_ONLY);
      Atomics.notify(state, i);
    }
  } catch {
    // The main thread stops waiting and checks what is left itself.
    Atomics.store(failed, CONTROL_FAILED, 1);
  }
  parentPort!.postMessage('done');
  parentPort!.close();
}

try {
  await loadSqlParser();
  parentPort!.once('message', checkFromTheEnd);
} catch {
  Atomics.store(failed, CONTROL_FAILED, 1);
  parentPort!.close();
}
