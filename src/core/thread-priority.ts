import { constants, setPriority } from 'node:os';

/**
 * Gives the calling worker thread the lowest CPU priority, so that it runs on what the
 * main thread leaves. This thread only: Linux keeps a nice value per thread (elsewhere it
 * would be the whole process's, so nothing is changed there). Where it is not allowed, the
 * thread simply competes as an equal.
 */
export function lowerThreadPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    setPriority(constants.priority.PRIORITY_LOW);
  } catch {
    /* not allowed here */
  }
}
