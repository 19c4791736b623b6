import { isAbsolute, relative, resolve, sep } from 'node:path';
import { StrataError } from './errors.ts';

const PLAIN = /^(?!\.\.?$)[^/\\]+$/;

/**
 * `root` joined with `segments`, resolved, and refused unless it stays inside `root`.
 * Every path strata writes under a folder of its own (target/, the lake, logs/) is built
 * with this, so no name from a project file can climb out with `..` or an absolute path.
 */
export function inside(root: string, ...segments: string[]): string {
  const base = resolve(root);
  // Plain names (no separator, not `.` or `..`) cannot climb: joined as they are, without
  // resolving and relating again (once per file written; 10,000 of them at each compile).
  if (segments.every((s) => PLAIN.test(s))) return segments.length === 0 ? base : `${base}${base.endsWith(sep) ? '' : sep}${segments.join(sep)}`;
  const path = resolve(base, ...segments);
  const rel = relative(base, path);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new StrataError(`refusing to write ${path}: it is outside ${base}`);
  }
  return path;
}
