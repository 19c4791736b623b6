/**
 * The rendered SQL texts that PostgreSQL's parser has already found to be one reading query
 * (sql/read-only.ts), so that an unchanged model is neither parsed nor analyzed again
 * (parsing was a third of an up-to-date compile of 10,000 models). Kept where strata's own
 * code lives, in the node_modules that holds the parser (`.cache/strata/read-only/`), never
 * in target/: a file there could be committed, restored from a CI cache or forged, and must
 * not be able to let a writing model through. Whoever can write node_modules can already
 * replace the parser or strata itself, so a verdict kept there trusts no one new.
 *
 * Only "reads" verdicts are kept: a model that is refused is parsed again each time. A
 * verdict is the sha256 of the analyzer's id (sql/analyzer-id.ts: the parser's version, the
 * source of src/sql/) and the SQL, one per line in a file per analyzer, appended to: any
 * change of the SQL, the parser or the code that reads SQL, and the model is parsed again.
 * Without a node_modules, or an analyzer id, nothing is kept and every model is parsed.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { hexDigest } from '../core/hash.ts';
import { strataCacheOf } from '../core/bundle-cache.mjs';
import { analyzerId } from '../sql/analyzer-id.ts';
import { writeTextAtomic } from '../observability/artifacts.ts';

/** Beyond this many bytes (≈500,000 verdicts), the file is started again with this compile's. */
const MAX_BYTES = 32 * 2 ** 20;
const KEY = /^[0-9a-f]{64}$/;

export class ReadVerdicts {
  /** Verdicts on file (or this compile's), and those found by this compile, not yet written. */
  private readonly known: Set<string>;
  private readonly fresh: string[] = [];
  private readonly used: string[] = [];

  private constructor(
    private readonly file: string | null,
    private readonly analyzer: string,
    known: Set<string>,
    private readonly size: number,
  ) {
    this.known = known;
  }

  /** The file of this analyzer's verdicts, beside the parser; null when there is no such place. */
  static location(analyzer: string): string | null {
    const dir = strataCacheOf(import.meta.resolve('libpg-query'), 'read-only');
    return dir && join(dir, `${createHash('sha256').update(analyzer).digest('hex').slice(0, 16)}.txt`);
  }

  /** The verdicts kept beside the parser; a store that keeps nothing when there is nowhere to keep them. */
  static open(): ReadVerdicts {
    let analyzer = '';
    let file: string | null;
    try {
      analyzer = analyzerId();
      file = ReadVerdicts.location(analyzer);
    } catch {
      file = null;
    }
    if (file === null) return new ReadVerdicts(null, '', new Set(), 0);
    let text = '';
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      /* none kept yet for this analyzer */
    }
    // A line cut short by a crash (or two run together) is not a key: it is skipped.
    const known = new Set(text.split('\n').filter((line) => KEY.test(line)));
    return new ReadVerdicts(file, analyzer, known, text.length);
  }

  /** The last SQL's key: a model's SQL is asked about (`reads`) and then kept (`keep`). */
  private last: { sql: string; key: string } | undefined;

  private key(sql: string): string {
    if (this.last?.sql !== sql) this.last = { sql, key: hexDigest('sha256', `${this.analyzer}\0${sql}`) };
    return this.last.key;
  }

  /** True when this very SQL was parsed by this analyzer and found to be one reading query. */
  reads(sql: string): boolean {
    if (this.file === null) return false;
    const key = this.key(sql);
    if (!this.known.has(key)) return false;
    this.used.push(key);
    return true;
  }

  /** Keeps the verdict that `sql` only reads: call only after sql/read-only.ts found no problem in it. */
  keep(sql: string): void {
    if (this.file === null) return;
    const key = this.key(sql);
    if (this.known.has(key)) return;
    this.known.add(key);
    this.fresh.push(key);
  }

  /** Appends the new verdicts; a node_modules that cannot be written only means parsing again next time. */
  write(): void {
    if (this.file === null || this.fresh.length === 0) return;
    try {
      if (this.size === 0 || this.size > MAX_BYTES) {
        // A new file: those of other analyzers (an earlier parser or src/sql/) are never read again.
        const dir = join(this.file, '..');
        mkdirSync(dir, { recursive: true });
        for (const f of readdirSync(dir)) if (join(dir, f) !== this.file) rmSync(join(dir, f), { force: true });
        writeTextAtomic(this.file, [...this.used, ...this.fresh].map((k) => `${k}\n`).join(''));
      } else {
        // One write of whole lines (O_APPEND): processes compiling at once do not cut each other's lines.
        appendFileSync(this.file, this.fresh.map((k) => `${k}\n`).join(''));
      }
    } catch {
      /* read-only install: nothing kept */
    }
  }
}
