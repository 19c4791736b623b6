/**
 * The SQL analyses of the last compile, kept in target/sql-analyses.json so that the next
 * one analyzes only the models that changed (parsing and analyzing was half of compiling a
 * large project). Every model is still checked to be one reading SELECT, by the parser or a
 * verdict kept beside strata's code (compile/read-verdicts.ts, compile/comprehend.ts): this
 * file saves the analysis, never that verdict. A model's analysis depends on nothing but its rendered SQL and the
 * columns the catalog gives for the relations it reads (sql/query-analyzer.ts asks the
 * catalog for no other), so an entry is reused when the SQL's hash is the same and so are
 * those relations' columns, now known again in dependency order. The file also names the
 * analyzer it came from (sql/analyzer-id.ts: the parser's version and a hash of src/sql/):
 * any change to either, or an unreadable file, and every model is analyzed afresh.
 */
import { hexDigest } from '../core/hash.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeTextAtomic } from '../observability/artifacts.ts';
import type { Catalog, ColumnReference, ModelAnalysis } from '../sql/analyze.ts';
import { analyzerId } from '../sql/analyzer-id.ts';
import { relationKey } from '../sql/model-sql.ts';

interface Entry {
  /** sha1 of the rendered SQL. */
  sql: string;
  /** sha1 of the catalog's answer for each relation the model reads (inputsOf). */
  inputs: string;
  analysis: Omit<ModelAnalysis, 'references'>;
  /**
   * The analysis's `references` as JSON text: a third of the file that nothing reads once
   * the analysis is made (diagnostics come from `problems`), parsed only when asked for.
   */
  references: string;
}

interface CacheFile {
  analyzer: string;
  models: Record<string, Entry>;
}

export const ANALYSIS_CACHE_FILE = 'sql-analyses.json';

const sha1 = (text: string): string => hexDigest('sha1', text);

export class AnalysisCache {
  private readonly next = new Map<string, Entry>();
  private changed = false;
  private readonly path: string;
  /** Null when the analyzer cannot be identified: nothing is reused or written. */
  private readonly analyzer: string | null;
  private readonly previous: Record<string, Entry>;
  /**
   * The catalog's answer per relation, as JSON: asked once per compile, not once per reader
   * (models are comprehended in dependency order, so a relation's columns are known before
   * any model that reads it is).
   */
  private readonly answers = new Map<string, string>();

  private constructor(path: string, analyzer: string | null, previous: Record<string, Entry>) {
    this.path = path;
    this.analyzer = analyzer;
    this.previous = previous;
  }

  /** The analyses kept in `targetDir`, or none when the file is absent, unreadable or from another analyzer. */
  static read(targetDir: string): AnalysisCache {
    const path = join(targetDir, ANALYSIS_CACHE_FILE);
    let id: string | null = null;
    try {
      id = analyzerId();
    } catch {
      return new AnalysisCache(path, null, {});
    }
    try {
      const file = JSON.parse(readFileSync(path, 'utf8')) as CacheFile;
      if (file.analyzer === id && typeof file.models === 'object' && file.models !== null) return new AnalysisCache(path, id, file.models);
    } catch {
      /* no earlier compile, or a damaged file: analyze everything */
    }
    return new AnalysisCache(path, id, {});
  }

  /** The earlier analysis of this SQL, when the relations it reads still have the same columns. */
  reuse(model: string, sql: string, catalog: Catalog): ModelAnalysis | undefined {
    const entry = Object.hasOwn(this.previous, model) ? this.previous[model] : undefined;
    if (!entry || typeof entry.references !== 'string' || entry.sql !== sha1(sql) || entry.inputs !== this.inputsOf(entry.analysis, catalog)) return undefined;
    this.next.set(model, entry);
    return withReferences(entry.analysis, entry.references);
  }

  /** What the catalog says of every relation the analysis read, in order of first read. */
  private inputsOf(analysis: Pick<ModelAnalysis, 'relations'>, catalog: Catalog): string {
    const seen = new Set<string>();
    const parts: string[] = [];
    for (const { relation } of analysis.relations) {
      const key = relationKey(relation);
      if (seen.has(key)) continue;
      seen.add(key);
      let answer = this.answers.get(key);
      if (answer === undefined) this.answers.set(key, (answer = JSON.stringify([key, catalog(relation) ?? null])));
      parts.push(answer);
    }
    return sha1(`[${parts.join(',')}]`);
  }

  /** Keeps a fresh analysis (written as it is when `write` runs: nothing may change it before). */
  keep(model: string, sql: string, analysis: ModelAnalysis, catalog: Catalog): void {
    if (this.analyzer === null) return;
    const { references, ...rest } = analysis;
    this.next.set(model, { sql: sha1(sql), inputs: this.inputsOf(analysis, catalog), analysis: rest, references: JSON.stringify(references) });
    this.changed = true;
  }

  /** Writes the analyses of this compile, unless they are the ones already on disk. */
  write(): void {
    const gone = Object.keys(this.previous).some((m) => !this.next.has(m));
    if (this.analyzer === null || (!this.changed && !gone)) return;
    writeTextAtomic(this.path, JSON.stringify({ analyzer: this.analyzer, models: Object.fromEntries(this.next) } satisfies CacheFile));
  }
}

/** A kept analysis whose `references` are parsed from their text on first read (a copy: the entry stays as the file has it). */
function withReferences(analysis: Omit<ModelAnalysis, 'references'>, text: string): ModelAnalysis {
  let references: ColumnReference[] | undefined;
  return Object.defineProperty({ ...analysis }, 'references', {
    enumerable: true,
    configurable: true,
    get: () => (references ??= JSON.parse(text) as ColumnReference[]),
    set: (value: ColumnReference[]) => void (references = value),
  }) as ModelAnalysis;
}
