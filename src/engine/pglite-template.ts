/**
 * A freshly initialised PGlite data directory, kept once per installation so that every
 * later new embedded database is a file copy instead of an initdb. PGlite's initdb runs a
 * second Postgres instance and moves its result through a tar in memory: ≈4.5 s of CPU and
 * ≈850 MB of peak memory on this machine, against ≈0.2 s for copying the 24 MB template
 * (bench/embedded.ts). Fresh databases are what quick starts and test suites make.
 *
 * The template lives in `node_modules/.cache/strata/` (the cache folder other tools use
 * too, gone with node_modules) under PGlite's version, so an upgrade never opens a data
 * directory of another format. `STRATA_CACHE_DIR` puts it elsewhere.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ioFailure } from '../core/io-errors.ts';
import { nodeModulesOf } from '../core/bundle-cache.mjs';

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
 * A copy of the template that `npm install` also prepares for strata (its bookkeeping
 * schema created), and that the first new database of the installation takes by renaming
 * it into place: the template is 371 files and the bookkeeping schema two dozen more, and
 * creating them costs a fresh clone's first build ≈0.5 s on a quiet machine and 1–3 s on a
 * busy disk. Later new databases copy the template. `tag` names what was prepared (a hash
 * of the bookkeeping DDL): a spare prepared by other code is never taken.
 */
export const spareDirOf = (template: string, tag: string): string => `${template}.spare-${tag}`;

/**
 * Makes the spare if there is none: a copy of the template beside it, `prepare`d, then
 * renamed (so it is whole or absent); spares of other tags are removed. A failure leaves
 * no spare (the first build copies the template instead) and is not an error.
 */
export async function saveSpare(template: string | null, tag: string, prepare: (dataDir: string) => Promise<void>): Promise<void> {
  if (!template || !isTemplateComplete(template)) return;
  const spare = spareDirOf(template, tag);
  for (const f of readdirSync(dirname(template))) {
    const other = join(dirname(template), f);
    if (other !== spare && f.startsWith(`${basename(template)}.spare-`) && !f.includes('.saving-')) rmSync(other, { recursive: true, force: true });
  }
  if (existsSync(spare)) return;
  const staging = `${spare}.saving-${process.pid}`;
  try {
    rmSync(staging, { recursive: true, force: true });
    cpSync(template, staging, { recursive: true });
    await prepare(staging);
    renameSync(staging, spare);
  } catch {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Moves the spare of `tag` into a new data directory. False, changing nothing, when there
 * is none (taken already, or by a concurrent process: only one rename of it succeeds) or it
 * is on another file system.
 */
export function takeSpareTo(template: string | null, tag: string, dataDir: string): boolean {
  if (!template || !isNewDataDir(dataDir) || !isTemplateComplete(spareDirOf(template, tag))) return false;
  mkdirSync(dirname(dataDir), { recursive: true });
  if (existsSync(dataDir)) rmdirSync(dataDir);
  try {
    renameSync(spareDirOf(template, tag), dataDir);
    return true;
  } catch {
    return false;
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
