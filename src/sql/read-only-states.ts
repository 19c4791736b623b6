/** Per model, in the Int32Array both threads of ReadOnlyChecks share (read-only-checks.ts). */
export const FREE = 0;
/** Taken by the main thread, which checks it itself. */
export const MAIN = 1;
/** Taken by the worker, verdict pending. */
export const WORKER = 2;
export const READS_ONLY = 3;
/** Not one reading SELECT: the main thread checks it again for the message and position. */
export const PROBLEM = 4;

/** Index in the control array: 1 once the worker gave up (its pending models fall back to the main thread). */
export const CONTROL_FAILED = 0;
