/**
 * dbt's partial parsing, for the commonest compile of a large project: nothing changed. A
 * `compile` keeps in target/compile-inputs.tsv what it was made from — the strata build that
 * ran it, its options, and the size, mtime and inode of every file of the project it can read
 * (and ctime) — with what it wrote (the manifest's stats, the hash of target/compiled-files.tsv) and what
 * it said. The next `compile` lists those files again, one stat each: when every one is as it
 * was, and so is every file the last compile wrote, that compile's result is this one's and
 * nothing is read, rendered, parsed or written (make's "nothing to be done"; manifest.json
 * keeps the generated_at of when it was written). Any difference, and the project is compiled
 * as always.
 *
 * What is never kept, so that such a project always compiles afresh: a compile whose
 * templates read env vars, or given --vars (their values would have to be kept to compare,
 * and may be secrets), one run through tsx (no build id to tell strata's own code changed), and one
 * whose files changed while it ran or just before (git's "racy clean" rule: an edit within the
 * file system's timestamp granularity can keep a file's mtime).
 */
import { readFileSync, readdirSync, rmSync, statSync, type Stats } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { sha1 } from '../core/hash.ts';
import { writeTextAtomic } from '../observability/artifacts.ts';
import { WRITTEN_FILES, WrittenFiles } from './written-files.ts';

/**
 * The esbuild bundle strata runs from (scripts/cli-bundle.mjs defines it: its folder, new
 * whenever any of strata's sources changes); undefined through tsx.
 */
declare const STRATA_BUILD: string | undefined;
const BUILD = typeof STRATA_BUILD === 'string' ? STRATA_BUILD : undefined;

export const COMPILE_INPUTS_FILE = 'compile-inputs.tsv';
const FORMAT = 1;

/**
 * Every file or folder of a project that compiling can read (project/load.ts, project/env.ts,
 * project/selectors-file.ts, serve/endpoints.ts, compile/comprehend.ts); up-to-date.test.ts
 * checks that a compile reads nothing else of the project.
 */
export const COMPILE_INPUTS = ['project.yaml', 'selectors.yml', '.env', 'models', 'macros', 'seeds', 'tests', 'snapshots', 'analyses', 'api', 'migrations'] as const;

/** A file edited this close to the listing may have kept its mtime (coarse kernel clocks). */
const RACY_MS = 2000;

/** What a compile said: printed again when the next one finds nothing changed. */
export interface CompileSummary {
  /** Models whose SQL was written, of `total`. */
  models: number;
  total: number;
  tests: number;
  order: string[];
}

interface Header {
  format: number;
  key: string;
  manifest: string;
  written: string;
  summary: CompileSummary;
}

/** ctime too: a tool that restores mtimes (tar, rsync -t) still changes it. */
const statLine = (s: Stats): string => `${s.size}\t${s.mtimeMs}\t${s.ctimeMs}\t${s.ino}`;

const toPosix = (p: string): string => (sep === '/' ? p : p.split(sep).join('/'));

/** One line per file compile can read: path, size, mtime, ctime, inode, sorted; and the newest mtime among them. */
function listInputs(dir: string): { text: string; newestMs: number } {
  const projectDir = resolve(dir);
  const lines: string[] = [];
  let newestMs = 0;
  const add = (rel: string, path: string): void => {
    const s = statSync(path, { throwIfNoEntry: false });
    if (!s) return;
    newestMs = Math.max(newestMs, s.mtimeMs);
    lines.push(`${rel}\t${statLine(s)}`);
  };
  for (const input of COMPILE_INPUTS) {
    const path = join(projectDir, input);
    const s = statSync(path, { throwIfNoEntry: false });
    if (!s) continue;
    if (!s.isDirectory()) {
      add(input, path);
      continue;
    }
    for (const d of readdirSync(path, { recursive: true, withFileTypes: true })) {
      if (d.isDirectory()) continue;
      const file = `${d.parentPath ?? d.path}${sep}${d.name}`;
      add(toPosix(file.slice(projectDir.length + 1)), file);
    }
  }
  return { text: lines.sort().join('\n'), newestMs };
}

/** The record of one project's last compile, for one set of options (`key`). */
export class CompileInputs {
  private constructor(
    private readonly targetDir: string,
    private readonly key: string,
    private readonly listing: { text: string; newestMs: number },
    private readonly listedAt: number,
  ) {}

  /**
   * Lists the project's inputs now, before anything is read; null when nothing can be kept
   * (run through tsx). `options`: whatever else decides the compile's output (batch id, target).
   */
  static list(projectDir: string, options: unknown, build: string | undefined = BUILD): CompileInputs | null {
    if (!build) return null;
    const listedAt = Date.now();
    const key = sha1(JSON.stringify({ build, installed: installedPackages(build), options }));
    return new CompileInputs(join(projectDir, 'target'), key, listInputs(projectDir), listedAt);
  }

  /** What the last compile said, when it was made from exactly these inputs and all it wrote is in place; else null. */
  unchanged(): CompileSummary | null {
    const text = readIfThere(join(this.targetDir, COMPILE_INPUTS_FILE));
    if (text === undefined) return null;
    const newline = text.indexOf('\n');
    let header: Header;
    try {
      header = JSON.parse(newline < 0 ? text : text.slice(0, newline)) as Header;
    } catch {
      return null;
    }
    if (header.format !== FORMAT || header.key !== this.key || text.slice(newline + 1) !== this.listing.text) return null;
    const manifest = statSync(join(this.targetDir, 'manifest.json'), { throwIfNoEntry: false });
    if (!manifest || statLine(manifest) !== header.manifest) return null;
    const written = readIfThere(join(this.targetDir, WRITTEN_FILES));
    if (written === undefined || sha1(written) !== header.written || !WrittenFiles.read(this.targetDir, written).allInPlace()) return null;
    return header.summary;
  }

  /**
   * Keeps this compile's record, after it wrote target/; removes the last one instead when
   * this compile cannot be kept (`readEnv`: its templates read env vars) or its inputs changed
   * too close to or after their listing.
   */
  keep(summary: CompileSummary, readEnv: boolean): void {
    const file = join(this.targetDir, COMPILE_INPUTS_FILE);
    const manifest = statSync(join(this.targetDir, 'manifest.json'), { throwIfNoEntry: false });
    const written = readIfThere(join(this.targetDir, WRITTEN_FILES));
    if (readEnv || !manifest || written === undefined || this.listing.newestMs > this.listedAt - RACY_MS) {
      rmSync(file, { force: true });
      return;
    }
    const header: Header = { format: FORMAT, key: this.key, manifest: statLine(manifest), written: sha1(written), summary };
    writeTextAtomic(file, `${JSON.stringify(header)}\n${this.listing.text}`);
  }
}

/** The file's text, or undefined when it cannot be read (absent: nothing to compare with). */
function readIfThere(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * npm's record of the packages installed beside the build (node_modules/.package-lock.json,
 * rewritten by every install): a new handlebars or parser makes every compile a new one.
 */
function installedPackages(build: string): string | null {
  const at = build.lastIndexOf(`${sep}node_modules${sep}`);
  if (at < 0) return null;
  const s = statSync(join(build.slice(0, at), 'node_modules', '.package-lock.json'), { throwIfNoEntry: false });
  return s ? statLine(s) : null;
}
