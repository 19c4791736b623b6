/**
 * The SQL analyses of the last compile, kept in target/sql-analyses.tsv so that the next
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
import { sha1 } from '../core/hash.ts';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeTextAtomic } from '../observability/artifacts.ts';
import { analyzeModel, type Catalog, type ColumnReference, type ModelAnalysis } from '../sql/analyze.ts';
import { outputColumns } from '../sql/output-columns.ts';
import { analyzerId } from '../sql/analyzer-id.ts';
import { relationKey } from '../sql/model-sql.ts';

interface Entry {
  /** sha1 of the rendered SQL. */
  sql: string;
  /** sha1 of the catalog's answer for each relation the model reads (inputsOf). */
  inputs: string;
  analysis: Omit<ModelAnalysis, 'references'>;
  /** The manifest's output_columns of the analysis (sql/output-columns.ts), as JSON text. */
  outputColumns: string;
  /** The entry's line in the file it was read from: written back as it is. */
  line?: string;
}

/**
 * One model a line, written and read line by line: `[model, sql, inputs, analysis]` as JSON,
 * then, after a tab, the manifest's output columns as JSON (JSON text holds no raw tab). Only
 * the first part is parsed when the file is read: an up-to-date compile writes the
 * manifest's output columns (two thirds of it at 10,000 models) from their kept text. The
 * analysis's `references` (where each column is read) are not kept: nothing in a compile or a
 * build reads them, and they were a third of the file (10,000 models: 0.1 s of writing it);
 * a kept analysis finds them again from its SQL when asked (keptAnalysis). An unchanged model's line
 * is written back as it was read (after editing one model of 10,000, the file was 0.44 s of
 * JSON.stringify). The first line names the analyzer and FORMAT.
 */
export const ANALYSIS_CACHE_FILE = 'sql-analyses.tsv';
/** The earlier single-JSON file, removed when the new one is written. */
const EARLIER_FILE = 'sql-analyses.json';
/** The lines' layout (what the analyses say is the analyzer's: sql/analyzer-id.ts). */
const FORMAT = 3;

const header = (analyzer: string): string => JSON.stringify({ analyzer, format: FORMAT });

/** The entries of the file's lines (a line that does not read as one is skipped: that model is analyzed again). */
function entries(text: string, analyzer: string): Map<string, Entry> {
  const found = new Map<string, Entry>();
  const lines = text.split('\n');
  if (lines[0] !== header(analyzer)) return found;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const parts = line.split('\t');
    // The output columns go into manifest.json as they are: a field that is plainly not a list (or null) is damage.
    if (parts.length !== 2 || !(parts[1] === 'null' || (parts[1]!.startsWith('[') && parts[1]!.endsWith(']')))) continue;
    try {
      const [model, sql, inputs, analysis] = JSON.parse(parts[0]!) as [unknown, unknown, unknown, Entry['analysis'] | null];
      if (typeof model !== 'string' || typeof sql !== 'string' || typeof inputs !== 'string' || typeof analysis !== 'object' || analysis === null || !Array.isArray(analysis.relations)) continue;
      found.set(model, { sql, inputs, analysis, outputColumns: parts[1]!, line });
    } catch {
      /* damaged */
    }
  }
  return found;
}

/** The manifest's output columns of each analysis the file holds (read from it, or kept for it now), as the file keeps them. */
const keptOutputColumns = new WeakMap<ModelAnalysis, string>();

/** The JSON text of `outputColumns(analysis)` when the file holds the analysis as it is; undefined otherwise. */
export const keptOutputColumnsJson = (analysis: ModelAnalysis): string | undefined => keptOutputColumns.get(analysis);

export class AnalysisCache {
  private readonly next = new Map<string, Entry>();
  private changed = false;
  private readonly dir: string;
  /** Null when the analyzer cannot be identified: nothing is reused or written. */
  private readonly analyzer: string | null;
  private readonly previous: Map<string, Entry>;
  /**
   * The catalog's answer per relation, as JSON: asked once per compile, not once per reader
   * (models are comprehended in dependency order, so a relation's columns are known before
   * any model that reads it is).
   */
  private readonly answers = new Map<string, string>();

  private constructor(dir: string, analyzer: string | null, previous: Map<string, Entry>) {
    this.dir = dir;
    this.analyzer = analyzer;
    this.previous = previous;
  }

  /** The analyses kept in `targetDir`, or none when the file is absent, unreadable or from another analyzer. */
  static read(targetDir: string): AnalysisCache {
    let id: string | null = null;
    try {
      id = analyzerId();
    } catch {
      return new AnalysisCache(targetDir, null, new Map());
    }
    let text = '';
    try {
      text = readFileSync(join(targetDir, ANALYSIS_CACHE_FILE), 'utf8');
    } catch {
      /* no earlier compile: analyze everything */
    }
    return new AnalysisCache(targetDir, id, entries(text, id));
  }

  /** Whether the file holds an analysis of this very SQL (kept if its inputs are the same too). */
  holdsSql(model: string, sql: string): boolean {
    const entry = this.previous.get(model);
    return entry !== undefined && entry.sql === sha1(sql);
  }

  /** The earlier analysis of this SQL, when the relations it reads still have the same columns. */
  reuse(model: string, sql: string, catalog: Catalog): ModelAnalysis | undefined {
    const entry = this.previous.get(model);
    if (!entry || entry.sql !== sha1(sql) || entry.inputs !== this.inputsOf(entry.analysis, catalog)) return undefined;
    this.next.set(model, entry);
    return keptAnalysis(entry, sql, catalog);
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
    const { references: _notKept, ...rest } = analysis;
    const columns = JSON.stringify(outputColumns(analysis));
    // The manifest writes this very text too, instead of building and printing it again.
    keptOutputColumns.set(analysis, columns);
    this.next.set(model, {
      sql: sha1(sql),
      inputs: this.inputsOf(analysis, catalog),
      analysis: rest,
      outputColumns: columns,
    });
    this.changed = true;
  }

  /** Writes the analyses of this compile, unless they are the ones already on disk. */
  write(): void {
    const gone = [...this.previous.keys()].some((m) => !this.next.has(m));
    if (this.analyzer === null || (!this.changed && !gone)) return;
    const lines = [header(this.analyzer)];
    for (const [model, e] of this.next) lines.push(e.line ?? `${JSON.stringify([model, e.sql, e.inputs, e.analysis])}\t${e.outputColumns}`);
    writeTextAtomic(join(this.dir, ANALYSIS_CACHE_FILE), `${lines.join('\n')}\n`);
    rmSync(join(this.dir, EARLIER_FILE), { force: true });
  }
}

/**
 * A kept analysis (a copy: the entry stays as the file has it) whose `references` are found
 * on first read by analyzing its SQL again against the same catalog: its relations' columns,
 * which the reuse has just found to be the ones the kept analysis was made from.
 */
function keptAnalysis(entry: Entry, sql: string, catalog: Catalog): ModelAnalysis {
  let references: ColumnReference[] | undefined;
  const analysis = Object.defineProperty({ ...entry.analysis }, 'references', {
    enumerable: true,
    configurable: true,
    get: () => (references ??= analyzeModel(sql, catalog).references),
    set: (value: ColumnReference[]) => void (references = value),
  }) as ModelAnalysis;
  keptOutputColumns.set(analysis, entry.outputColumns);
  return analysis;
}
