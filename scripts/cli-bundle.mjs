// The CLI as plain JavaScript, built by esbuild from src/cli.ts and cached in
// node_modules/.cache/strata/cli: what `strata` (bin/strata.mjs), the specs and the benches
// run. `node --import tsx src/cli.ts` starts tsx (≈0.5 s of CPU) and resolves and
// transpiles each module a command loads through tsx's loader thread on every start; the
// bundle starts in a third of that (`strata --version`: 0.21 against 0.73 s of CPU,
// bench/compile.ts). Same code, same esbuild transform as tsx: only the module loading
// differs. Pure-JavaScript packages are bundled in, the others stay imports (resolved from
// node_modules, where the bundle lives); each source file's import.meta.url/dirname/filename
// keep naming the source file, so assets, migrations and workers are found exactly as from
// src/; a source map beside each chunk leads back to src/*.ts (--enable-source-maps).
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freshStamp, strataCacheOf, writeStamp } from '../src/core/bundle-cache.mjs';

const root = join(import.meta.dirname, '..');

/** Loads each source file as it is bundled, keeping what it read in `read` (by path). */
const sourcePaths = (read = new Map()) => ({
  name: 'source-paths',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
      const bytes = await readFile(path);
      read.set(path, bytes);
      return {
        loader: 'ts',
        contents: bytes.toString('utf8')
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(path).href))
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(path)))
          .replaceAll('import.meta.filename', JSON.stringify(path)),
      };
    });
  },
});

/**
 * The pure-JavaScript packages commands load, bundled in with what they import: Node resolves,
 * reads and links every module file of a package at each start (a build loaded 147 of
 * apache-arrow's alone). Packages with WebAssembly or files of their own to find (PGlite,
 * libpg-query, parquet-wasm, postgres-migrations, Fastify) and optional ones stay imports.
 */
const BUNDLED = new Set(['apache-arrow', 'commander', 'csv-parse', 'dotenv', 'handlebars', 'pg', 'pg-copy-streams', 'yaml']);
const NEVER = new Set(['pg-native', 'pg-cloudflare', 'cloudflare:sockets']);
const packageName = (spec) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
const packagesOutside = {
  name: 'packages-outside',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, ({ path, importer }) => {
      const name = packageName(path);
      if (NEVER.has(name)) return { path, external: true };
      const fromPackage = importer.includes(`${sep}node_modules${sep}`);
      return BUNDLED.has(name) || fromPackage ? undefined : { path, external: true };
    });
  },
};

/**
 * esbuild's options for strata's TypeScript as Node ES modules written to `outdir`: a chunk
 * per module shared or imported dynamically (a command still loads only the modules and
 * packages it uses), the packages of BUNDLED in, source maps beside; `read` keeps what was read.
 */
export const esmBundleOptions = (outdir, read = new Map()) => ({
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  sourcesContent: false,
  plugins: [packagesOutside, sourcePaths(read)],
  // CommonJS packages bundled into ES modules still require Node's own modules.
  banner: { js: "import { createRequire as __strataCreateRequire } from 'node:module'; const require = __strataCreateRequire(import.meta.url);" },
  // Names this build (a new folder whenever a source changed): what compile/up-to-date.ts keys on.
  define: { STRATA_BUILD: JSON.stringify(outdir) },
  absWorkingDir: root,
  logLevel: 'error',
});

/**
 * Bundles src/cli.ts into `outDir` (cli.mjs and a chunk per dynamic import, ≈0.5 s); returns
 * the source files it is built from and the contents read of each.
 */
async function bundleCli(outDir) {
  const { build } = await import('esbuild'); // only when building: a fresh bundle starts without it
  const read = new Map();
  const { metafile } = await build({ ...esmBundleOptions(outDir, read), entryPoints: [join(root, 'src', 'cli.ts')], metafile: true });
  return { inputs: Object.keys(metafile.inputs).map((i) => resolve(root, i)), read };
}

/** A superseded bundle is deleted once it is this old (a process started from it may still load its chunks). */
const STALE_MS = 24 * 3600 * 1000;

/**
 * The CLI's bundle (`file`) and the files it is built from (`sources`), built first when
 * absent or when any of those changed; null when there is no node_modules to keep it in.
 * Processes building at once each write a folder of their own; the stamp names the last.
 */
export async function cachedCli() {
  const cache = strataCacheOf(import.meta.resolve('esbuild'), 'cli');
  if (!cache) return null;
  const stampFile = join(cache, 'cli.json');
  const stamp = freshStamp(stampFile);
  // Another checkout may share this node_modules (a symlink, a hoisted workspace): its bundle is not this one's.
  if (stamp && stamp.root === root && typeof stamp.dir === 'string' && existsSync(join(cache, stamp.dir, 'cli.mjs'))) return { file: join(cache, stamp.dir, 'cli.mjs'), sources: stamp.inputs };
  const dir = `cli-${Date.now().toString(36)}-${process.pid}`;
  const { inputs, read } = await bundleCli(join(cache, dir));
  const sources = [...inputs, import.meta.filename, join(root, 'src', 'core', 'bundle-cache.mjs')];
  writeStamp(stampFile, sources, { dir, root }, read);
  for (const old of readdirSync(cache)) {
    const path = join(cache, old);
    if (old.startsWith('cli-') && old !== dir && Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
  }
  return { file: join(cache, dir, 'cli.mjs'), sources };
}
