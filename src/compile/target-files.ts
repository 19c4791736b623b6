/**
 * Writing target/'s text files. A file is written unless it already holds exactly its text
 * (`compare` false: it cannot, e.g. it is in a folder just created). Rewriting an unchanged
 * file costs far more than reading it: truncating and rewriting makes ext4 flush it on
 * close, and a compile of 10,000 models spent most of its time there. An unchanged file
 * also keeps its mtime, so tools that watch target/compiled see only what changed.
 *
 * Many files are written by a worker thread while the main thread goes on (the SQL analysis
 * of a compile): creating a file is the kernel's work, 0.03 ms on a quiet disk but up to
 * 0.5 ms on an ext4 without a journal right after many files were deleted (it checks each
 * new inode against the recently deleted ones), i.e. 0.3–5 s for 10,000 models.
 */
import { closeSync, fstatSync, openSync, readSync, writeFileSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { ioFailure } from '../core/io-errors.ts';
import { startWorker } from '../core/worker-thread.ts';

export interface TextFile {
  path: string;
  text: string;
  /** The file may exist: compare before writing. */
  compare: boolean;
}

/** The file's size and mtime once it holds its text. */
export interface FileStat {
  size: number;
  mtimeMs: number;
}

/** Writes `file` unless it holds its text already; its stat either way. Throws the file system's error. */
export function writeTextFile({ path, text, compare }: TextFile): FileStat {
  const same = compare && holds(path, text);
  if (same) return same;
  const fd = openSync(path, 'w');
  try {
    writeFileSync(fd, text);
    const { size, mtimeMs } = fstatSync(fd);
    return { size, mtimeMs };
  } finally {
    closeSync(fd);
  }
}

/** As writeTextFile, its failure said as `cannot write <path>: <cause>` (core/io-errors.ts). */
export function writeTargetFile(file: TextFile): FileStat {
  try {
    return writeTextFile(file);
  } catch (err) {
    throw ioFailure('write', file.path, err);
  }
}

/** Buffers reused for every comparison: the file read into one, the text encoded into the other. */
let onDisk = Buffer.allocUnsafe(1 << 16);
let wanted = Buffer.allocUnsafe(1 << 16);

/**
 * The file's stat when it holds exactly `text` (false when it differs, is absent or
 * unreadable); reads one byte past it, so a longer file differs by its size alone.
 */
function holds(path: string, text: string): FileStat | false {
  const size = Buffer.byteLength(text);
  if (wanted.length <= size) {
    onDisk = Buffer.allocUnsafe(size + 1);
    wanted = Buffer.allocUnsafe(size + 1);
  }
  wanted.write(text);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    if (readSync(fd, onDisk, 0, size + 1, 0) !== size || onDisk.compare(wanted, 0, size, 0, size) !== 0) return false;
    const { mtimeMs } = fstatSync(fd);
    return { size, mtimeMs };
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/** What the worker answers: every file's stat, or where it stopped and why. */
export type WriterReply = { stats: FileStat[] } | { path: string; code?: string; message: string };

/** Files being written; `done` has their stats in order (or throws as writeTextFile would). */
export interface PendingFiles {
  done(): Promise<FileStat[]>;
  /** Writes no further file (the one being written is finished) and waits for the writer. */
  stop(): Promise<void>;
}

/**
 * From this many files on, a worker writes them: starting one takes ≈0.06 s (measured from
 * tsx, 999 files written here in 0.02–0.03 s, 1,000 through a worker in 0.09 s), which the
 * files then hide from the main thread on a quiet disk (0.03 ms a file) and many times over on a busy one.
 */
export const WORKER_FROM = 2000;

/** Starts writing `files`: on a worker thread when there are many, else here and now. */
export function writeTextFiles(files: TextFile[]): PendingFiles {
  if (files.length < WORKER_FROM) return inline(files);
  // Set to 1 to stop: read by the worker between files.
  const stopFlag = new Int32Array(new SharedArrayBuffer(4));
  let worker: Worker;
  try {
    worker = startWorker(new URL('./target-files-worker.ts', import.meta.url), { files, stop: stopFlag });
  } catch {
    return inline(files);
  }
  const result = new Promise<FileStat[]>((resolve, reject) => {
    worker.once('message', (reply: WriterReply) => {
      if ('stats' in reply) resolve(reply.stats);
      else reject(ioFailure('write', reply.path, Object.assign(new Error(reply.message), reply.code ? { code: reply.code } : {})));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the thread writing target/ exited (${code}) before it was done`)));
  });
  result.catch(() => undefined);
  return {
    done: () => result,
    stop: async () => {
      Atomics.store(stopFlag, 0, 1);
      await result.catch(() => undefined);
    },
  };
}

/** The files written here and now (few, or no worker could be started). */
function inline(files: TextFile[]): PendingFiles {
  const result = (async () => files.map(writeTargetFile))();
  result.catch(() => undefined);
  return { done: () => result, stop: async () => undefined };
}
