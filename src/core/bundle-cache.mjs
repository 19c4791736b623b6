// Bundles of strata's own TypeScript, kept in node_modules/.cache/strata (the CLI's, by
// bin/strata.mjs; the worker threads', by src/core/worker-bundle.ts). Beside each, a stamp:
// the source files esbuild read, with one hash of their content. A bundle is reused only
// while every one of those files still hashes the same (a few milliseconds for the CLI's
// ≈200 files), so it is never stale and esbuild runs only after an edit. Plain JavaScript:
// the CLI's launcher runs it before any TypeScript can be loaded.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The node_modules folder a package is installed in (`resolved`: `import.meta.resolve` of
 * it), or null when it is not in one. Its `.cache/` is where tools keep what they derive;
 * whoever can write there can already change the packages strata runs.
 */
export function nodeModulesOf(resolved) {
  const entry = fileURLToPath(resolved);
  const marker = `${sep}node_modules${sep}`;
  const at = entry.lastIndexOf(marker);
  return at < 0 ? null : entry.slice(0, at + marker.length - 1);
}

/** `…/node_modules/.cache/strata/<folder>` beside the package resolved at `resolved`, or null when it is in no node_modules. */
export function strataCacheOf(resolved, folder) {
  const nodeModules = nodeModulesOf(resolved);
  return nodeModules && join(nodeModules, '.cache', 'strata', folder);
}

/** sha256 of the files' names and contents, in the order given (`read`: contents already in hand, by path). */
export function hashOf(files, read = new Map()) {
  const h = createHash('sha256');
  for (const f of files) h.update(f).update('\0').update(read.get(f) ?? readFileSync(f)).update('\0');
  return h.digest('hex');
}

/** Writes `file` whole or not at all (a reader never sees half of it); `mode` as for writeFileSync. */
export function writeAtomic(file, data, mode = 0o666) {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode });
  try {
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** The stamp kept at `path` while every input it names is unchanged; null when absent, unreadable or stale. */
export function freshStamp(path) {
  try {
    const stamp = JSON.parse(readFileSync(path, 'utf8'));
    return Array.isArray(stamp.inputs) && stamp.hash === hashOf(stamp.inputs) ? stamp : null;
  } catch {
    return null; // never built, or an input is gone: build again
  }
}

/**
 * Records at `path` that a bundle (described by `fields`) was built from `inputs`: with the
 * contents the bundler read (`read`, by path) where known, so that a file edited during the
 * build does not match and the next start builds again; the others as they are now.
 */
export function writeStamp(path, inputs, fields = {}, read = new Map()) {
  writeAtomic(path, JSON.stringify({ ...fields, inputs, hash: hashOf(inputs, read) }));
}
