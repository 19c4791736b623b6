/**
 * Throw-away projects for unit tests: a new folder under the system's temp dir holding the
 * files given (path relative to it → text), removed when the test process exits. Kept apart
 * from spec/support.ts, which loads both engines, so a test that only reads files loads
 * nothing else.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const made: string[] = [];
// At exit, not in an `after` hook: scripts/test.mjs runs many unit-test files in one process,
// and the runner's root hooks can run before the last file's tests have made their folders.
process.once('exit', () => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A new folder `strata-<prefix>-…` holding `files`; its parent folders are created as needed. */
export function tempProject(prefix: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), `strata-${prefix}-`));
  made.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
