import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * When process `pid` began, as Linux counts it (clock ticks since boot, field 22 of
 * /proc/<pid>/stat); null where there is no such entry (no such process, or no /proc).
 * With the pid it names one process: pids are reused (32,768 of them on this machine's
 * kernel, and a test run starts thousands of processes and server backends), so a mark
 * left by a dead process can carry the pid of a live one.
 */
export function processStart(pid: number = process.pid): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const start = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isFinite(start) ? start : null;
  } catch {
    return null;
  }
}

let ownStart: number | null | undefined;
/** This process's start (processStart), read once. */
export const ownProcessStart = (): number | null => (ownStart === undefined ? (ownStart = processStart()) : ownStart);

/**
 * Whether a process that left its mark (a lock, a writer file) may still be running. On
 * another host nothing can be checked, so it counts as alive: only a holder provably gone
 * from this machine is ever taken over. `start` (processStart, when the mark has it) tells
 * the process that left the mark from a later one given the same pid.
 */
export function processAlive(pid: number, host: string = hostname(), start?: number | null): boolean {
  if (host !== hostname()) return true;
  if (typeof start === 'number' && ownProcessStart() !== null) return processStart(pid) === start;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
