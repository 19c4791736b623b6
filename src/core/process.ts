import { hostname } from 'node:os';

/**
 * Whether a process that left its mark (a lock, a writer file) may still be running. On
 * another host nothing can be checked, so it counts as alive: only a holder provably gone
 * from this machine is ever taken over.
 */
export function processAlive(pid: number, host: string = hostname()): boolean {
  if (host !== hostname()) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
