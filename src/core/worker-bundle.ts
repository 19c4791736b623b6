/**
 * A worker thread's module as one plain JavaScript file. Under tsx a worker starts its own
 * loader thread and resolves every module through it (0.61–0.71 s of CPU for a lake decoding worker; 0.18 s bundled), and
 * Node 20 cannot strip types itself. esbuild bundles the entry with its sources (packages
 * stay imports) into `node_modules/.cache/strata/workers/`, where those imports resolve as
 * from src/. Beside the bundle, a stamp of the source files it was built from
 * (src/core/bundle-cache.mjs): it is reused only while none of them changed.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshStamp, strataCacheOf, writeAtomic, writeStamp } from './bundle-cache.mjs';

/** The bundle of each entry this process found or built (null: it could not). */
const known = new Map<string, string | null>();

/**
 * The file to start a Worker from for the TypeScript module `entry`, named after `name`;
 * null when it cannot be built or placed (then the caller starts the worker another way or
 * does the work itself).
 */
export function workerBundle(entry: URL, name: string): string | null {
  if (!known.has(entry.href)) known.set(entry.href, findOrBuild(fileURLToPath(entry), name));
  return known.get(entry.href)!;
}

/** As workerBundle, asking the files again at every call. */
export function findOrBuild(entry: string, name: string): string | null {
  try {
    const dir = strataCacheOf(import.meta.resolve('esbuild'), 'workers');
    if (!dir) return null;
    // One bundle per entry file (two checkouts sharing node_modules keep apart).
    const stem = join(dir, `${name}-${createHash('sha256').update(entry).digest('hex').slice(0, 12)}`);
    const file = `${stem}.mjs`;
    if (existsSync(file) && freshStamp(`${stem}.json`)) return file;
    const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
    const out = buildSync({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(out.metafile.inputs).map((i) => resolve(i)).sort();
    mkdirSync(dir, { recursive: true });
    writeAtomic(file, out.outputFiles[0]!.text);
    writeStamp(`${stem}.json`, inputs);
    return file;
  } catch {
    return null;
  }
}
