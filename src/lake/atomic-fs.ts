/**
 * Durable file operations: a file becomes visible under its final name only complete and
 * on disk (temp name → fsync → rename → fsync of the directory, so the rename itself
 * survives a power cut).
 */
import { open, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ioFailure } from '../core/io-errors.ts';

const TEMP_NAME = /^\.(.+)\.tmp-(\d+)$/;

/** `.<name>.tmp-<pid>` beside the final file: hidden, and it names the process writing it. */
export function tempPath(finalPath: string, pid = process.pid): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.tmp-${pid}`);
}

/** The final name and writer pid of a temp file name, or null for any other name. */
export function parseTempName(name: string): { name: string; pid: number } | null {
  const m = TEMP_NAME.exec(name);
  return m ? { name: m[1]!, pid: Number(m[2]) } : null;
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Renames a complete, fsynced file into place and makes the rename durable. */
export async function commitRename(from: string, to: string): Promise<void> {
  await rename(from, to);
  await fsyncDir(dirname(to));
}

/** Writes `data` to `path` atomically: readers see the old content or the new, never a part. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = tempPath(path);
  const handle = await open(temp, 'w').catch((err: unknown) => {
    throw ioFailure('create', temp, err);
  });
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw ioFailure('write', path, err);
  }
  await handle.close();
  try {
    await commitRename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/**
 * Removes a directory tree so that a crash midway leaves no half-deleted directory under
 * its real name: it is first renamed to a hidden `.<name>.deleting-<pid>`.
 */
export async function removeDirDurably(dir: string): Promise<void> {
  const doomed = join(dirname(dir), `.${basename(dir)}.deleting-${process.pid}`);
  await rename(dir, doomed);
  await fsyncDir(dirname(dir));
  await rm(doomed, { recursive: true, force: true });
}

const DELETING_NAME = /^\.(.+)\.deleting-(\d+)$/;

export function parseDeletingName(name: string): { name: string; pid: number } | null {
  const m = DELETING_NAME.exec(name);
  return m ? { name: m[1]!, pid: Number(m[2]) } : null;
}
