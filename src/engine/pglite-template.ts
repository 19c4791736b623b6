/**
 * A freshly initialised PGlite data directory, kept once per installation so that every
 * later new embedded database is a file copy instead of an initdb. PGlite's initdb runs a
 * second Postgres instance and moves its result through a tar in memory: ≈4.5 s of CPU and
 * ≈850 MB of peak memory on this machine, against ≈0.2 s for copying the 39 MB template
 * (bench/embedded.ts). Fresh databases are what quick starts and test suites make.
 *
 * The template lives in `node_modules/.cache/strata/` (the cache folder other tools use
 * too, gone with node_modules) under PGlite's version, so an upgrade never opens a data
 * directory of another format. `STRATA_CACHE_DIR` puts it elsewhere.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ioFailure } from '../core/io-errors.ts';
import { nodeModulesOf } from '../core/paths.ts';

/** The folder of the template for the installed PGlite, or null when it cannot be placed. */
export function pgliteTemplateDir(env: Record<string, string | undefined> = process.env): string | null {
  const nodeModules = nodeModulesOf(import.meta.resolve('@electric-sql/pglite'));
  if (!nodeModules) return null;
  const version = (JSON.parse(readFileSync(join(nodeModules, '@electric-sql', 'pglite', 'package.json'), 'utf8')) as { version: string }).version;
  const cache = env.STRATA_CACHE_DIR ?? join(nodeModules, '.cache', 'strata');
  return join(cache, `pglite-${version}`);
}

/** True when `dataDir` holds no database yet (absent or an empty folder). */
export function isNewDataDir(dataDir: string): boolean {
  if (!existsSync(dataDir)) return true;
  return readdirSync(dataDir).length === 0;
}

/** True when `dir` holds a whole data directory (what a template or a copy must). */
export const isTemplateComplete = (dir: string): boolean => existsSync(join(dir, 'PG_VERSION')) && existsSync(join(dir, 'global', 'pg_control'));

/**
 * Fills a new data directory from the template. Copies beside it and renames, so an
 * interrupted copy never leaves a half database where PGlite would open it. Returns false
 * (and changes nothing) when there is no template yet.
 */
export function copyTemplateTo(template: string | null, dataDir: string): boolean {
  if (!template || !isTemplateComplete(template) || !isNewDataDir(dataDir)) return false;
  const staging = join(dirname(dataDir), `.${basename(dataDir)}.copying-${process.pid}`);
  try {
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(dirname(dataDir), { recursive: true });
    cpSync(template, staging, { recursive: true });
    if (existsSync(dataDir)) rmdirSync(dataDir);
    renameSync(staging, dataDir);
    return true;
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw ioFailure('write', dataDir, err);
  }
}

/**
 * Keeps a copy of a data directory that was just initialised and cleanly closed, holding
 * nothing of ours yet. Concurrent processes may race: each copies to its own folder and
 * the first rename wins. Failing to save is not an error: the next new database runs
 * initdb again.
 */
export function saveTemplate(template: string | null, dataDir: string): void {
  if (!template || isTemplateComplete(template) || !isTemplateComplete(dataDir)) return;
  const staging = `${template}.saving-${process.pid}`;
  try {
    mkdirSync(dirname(template), { recursive: true });
    rmSync(staging, { recursive: true, force: true });
    cpSync(dataDir, staging, { recursive: true });
    renameSync(staging, template);
  } catch {
    rmSync(staging, { recursive: true, force: true });
  }
}
