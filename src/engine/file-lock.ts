import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ownProcessStart, processAlive } from '../core/process.ts';

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
  /** The holder's start (core/process.ts): its pid may be another process's later. */
  start?: number | null;
}

function readHolder(path: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

/**
 * An exclusive lock file (O_EXCL create). A holder whose process is gone on this host is
 * stale and taken over. Waits up to `timeoutMs`, then fails naming the holder.
 */
export async function acquireFileLock(path: string, what: string, timeoutMs: number): Promise<() => void> {
  mkdirSync(dirname(path), { recursive: true });
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    command: process.argv.slice(2).join(' '),
    since: new Date().toISOString(),
    start: ownProcessStart(),
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(path, JSON.stringify(me), { flag: 'wx' });
      return () => {
        try {
          if (readHolder(path)?.pid === process.pid) unlinkSync(path);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(path);
    if (holder && !processAlive(holder.pid, holder.host, holder.start)) {
      unlinkSync(path);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder
        ? `process ${holder.pid} on ${holder.host} (\`${holder.command}\`, since ${holder.since})`
        : 'another process';
      throw new Error(`${what} is in use by ${who}; gave up after ${Math.round(timeoutMs / 1000)}s (lock file ${path})`);
    }
    await sleep(200);
  }
}
