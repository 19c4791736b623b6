/** Worker thread: writes the target/ files it is given (compile/target-files.ts), in order, until told to stop. */
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../core/thread-priority.ts';
import { writeTextFile, type FileStat, type TextFile, type WriterReply } from './target-files.ts';

const { files, stop } = workerData as { files: TextFile[]; stop: Int32Array };
// Writing is the kernel's work, done while the main thread analyzes and the parser's worker
// parses ahead of it (the compile's critical path, README "Session 18"): it takes the CPU
// they leave, sharing it equally with that worker.
lowerThreadPriority();
const stats: FileStat[] = [];
let reply: WriterReply = { stats };
for (const file of files) {
  if (Atomics.load(stop, 0) === 1) break;
  try {
    stats.push(writeTextFile(file));
  } catch (err) {
    // The error's code goes back with it: the main thread says it as a write failure of its own would be said.
    const { code, message } = err as NodeJS.ErrnoException;
    reply = { path: file.path, ...(code ? { code } : {}), message: message ?? String(err) };
    break;
  }
}
parentPort!.postMessage(reply);
