/**
 * What the last compile wrote into target/compiled/, kept in target/compiled-files.tsv: per
 * file, the sha1 of its text and the size and mtime the file had right after. A file whose
 * new text has the same hash, and which still has that size and mtime, is left as it is
 * without being opened (make's rule: one stat instead of open, read and close — at 10,000
 * models, comparing every file was the largest part of writing target/). Any other file is
 * compared byte for byte and rewritten only when it differs, as before. Like make, it does
 * not see a file changed behind its back that kept its size and mtime (an edit in place
 * changes the mtime); a list deleted or damaged costs a comparison of every file.
 */
import { readFileSync, statSync, type Stats } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { writeTextAtomic } from '../observability/artifacts.ts';

export const WRITTEN_FILES = 'compiled-files.tsv';
const HEADER = 'strata compiled files v1';

export class WrittenFiles {
  private readonly next = new Map<string, string>();

  private constructor(
    private readonly targetDir: string,
    /** Path under target/ → `sha1 \t size \t mtimeMs`. */
    private readonly previous: Map<string, string>,
  ) {}

  /** The list in `targetDir`; `text`: its contents when the caller has read them already. */
  static read(targetDir: string, text = readList(targetDir)): WrittenFiles {
    const previous = new Map<string, string>();
    const lines = text.split('\n');
    if (lines[0] === HEADER) {
      for (let i = 1; i < lines.length; i++) {
        const tab = lines[i]!.indexOf('\t');
        if (tab > 0) previous.set(lines[i]!.slice(0, tab), lines[i]!.slice(tab + 1));
      }
    }
    return new WrittenFiles(targetDir, previous);
  }

  /** Whether `path` still holds the text of this digest, as this list last saw it written. */
  unchanged(path: string, digest: string): boolean {
    const key = this.keyOf(path);
    const entry = this.previous.get(key);
    if (entry === undefined || !entry.startsWith(digest) || entry.charCodeAt(digest.length) !== 9) return false;
    const stats = statSync(path, { throwIfNoEntry: false });
    if (!stats || entry !== fileEntry(digest, stats)) return false;
    this.next.set(key, entry);
    return true;
  }

  /** Whether every file of the list still has the size and mtime it had when written. */
  allInPlace(): boolean {
    for (const [key, entry] of this.previous) {
      const stats = statSync(join(this.targetDir, key), { throwIfNoEntry: false });
      if (!stats || entry !== fileEntry(entry.slice(0, entry.indexOf('\t')), stats)) return false;
    }
    return true;
  }

  /** `path` holds the text of `digest` now (written or compared), with these stats. */
  record(path: string, digest: string, stats: Pick<Stats, 'size' | 'mtimeMs'>): void {
    this.next.set(this.keyOf(path), fileEntry(digest, stats));
  }

  /** The path under target/ (by slicing: path.relative resolved both paths, 10,000 times). */
  private keyOf(path: string): string {
    return path.startsWith(this.targetDir + sep) ? path.slice(this.targetDir.length + 1) : relative(this.targetDir, path);
  }

  /** Saves the list, unless it is the one on disk. */
  write(): void {
    if (this.next.size === this.previous.size && [...this.next].every(([k, v]) => this.previous.get(k) === v)) return;
    const lines = [HEADER];
    for (const [path, entry] of this.next) lines.push(`${path}\t${entry}`);
    writeTextAtomic(join(this.targetDir, WRITTEN_FILES), `${lines.join('\n')}\n`);
  }
}

const fileEntry = (digest: string, stats: Pick<Stats, 'size' | 'mtimeMs'>): string => `${digest}\t${stats.size}\t${stats.mtimeMs}`;

function readList(targetDir: string): string {
  try {
    return readFileSync(join(targetDir, WRITTEN_FILES), 'utf8');
  } catch {
    return ''; // none yet: every file is compared
  }
}
