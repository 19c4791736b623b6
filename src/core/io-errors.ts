/** File-system failures in words people recognise, with the path they concern. */
import { ExitCode, StrataError } from './errors.ts';

const MEANINGS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  EIO: 'input/output error (the disk or file system failed)',
};

/** `no space left on device (ENOSPC)`, or the error's own message when it has no known code. */
export function describeIoError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code && MEANINGS[code]) return `${MEANINGS[code]} (${code})`;
  return err instanceof Error ? err.message : String(err);
}

export function isIoError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && code in MEANINGS;
}

/** `cannot write <path>: no space left on device (ENOSPC)`; other errors pass through unchanged. */
export function ioFailure(action: string, path: string, err: unknown): Error {
  if (!isIoError(err)) return err instanceof Error ? err : new Error(String(err));
  return new StrataError(`cannot ${action} ${path}: ${describeIoError(err)}`, ExitCode.failed);
}
