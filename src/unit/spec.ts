/**
 * Unit tests as dbt 1.8 writes them, in any models/**.yml beside `models:`:
 *
 *   unit_tests:
 *     - name: ties_rank_by_votes
 *       model: review_rank
 *       overrides: { vars: { score_weight_votes: 0 } }
 *       given:
 *         - input: ref('fact_reviews')
 *           rows: [{ review_id: 1, product_id: p, rating: 5 }]
 *         - input: source('amazon', 'review')
 *           format: csv
 *           rows: |
 *             review_id,rating
 *             1,5
 *       expect:
 *         rows: [{ review_id: 1, rank_in_product: 1 }]
 *
 * Columns a given row leaves out are null; `expect` compares only the columns it names.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import type { Diagnostic } from '../core/errors.ts';
import type { YamlFile } from '../project/yaml-file.ts';

export type UnitRow = Record<string, unknown>;

export type UnitInput =
  | { kind: 'ref'; name: string }
  | { kind: 'source'; source: string; table: string };

export interface UnitGiven {
  input: UnitInput;
  /** As written, for messages: `ref('fact_reviews')`. */
  label: string;
  rows: UnitRow[];
  /** CSV values are all text: their type is read from how they look when nothing else tells. */
  csv?: true;
}

export interface UnitTestSpec {
  name: string;
  model: string;
  given: UnitGiven[];
  expect: UnitRow[];
  /** `overrides.vars`: the model is rendered with these vars. */
  vars: Record<string, unknown>;
  file: string;
  line?: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const INPUT = /^\s*(ref|source)\(\s*(['"])([^'"]+)\2\s*(?:,\s*(['"])([^'"]+)\4\s*)?\)\s*$/;

function parseInput(text: unknown): UnitInput | null {
  const m = typeof text === 'string' ? INPUT.exec(text) : null;
  if (!m) return null;
  if (m[1] === 'ref' && m[5] === undefined) return { kind: 'ref', name: m[3]! };
  if (m[1] === 'source' && m[5] !== undefined) return { kind: 'source', source: m[3]!, table: m[5] };
  return null;
}

/** `rows:` as a list of mappings, or `format: csv` with the CSV text (header first). */
function parseRows(entry: Obj, at: (key: string, message: string) => void): UnitRow[] | null {
  const format = entry.format ?? 'dict';
  if (format === 'csv') {
    if (typeof entry.rows !== 'string') return at('rows', 'with format: csv, rows is the CSV text (header first)'), null;
    try {
      return parseCsv(entry.rows, { columns: true, skip_empty_lines: true, trim: true, cast: (v) => (v === '' ? null : v) }) as UnitRow[];
    } catch (err) {
      return at('rows', `CSV: ${(err as Error).message}`), null;
    }
  }
  if (format !== 'dict') return at('format', `format must be dict or csv, got ${JSON.stringify(format)}`), null;
  const rows = entry.rows ?? [];
  if (!Array.isArray(rows) || !rows.every(isObj)) return at('rows', 'rows is a list of mappings, e.g. [{id: 1, name: a}]'), null;
  return rows;
}

export function parseUnitTests(yaml: YamlFile, into: UnitTestSpec[], diagnostics: Diagnostic[]): void {
  const raw = isObj(yaml.value) ? yaml.value.unit_tests : undefined;
  if (raw === undefined || raw === null) return;
  if (!Array.isArray(raw)) {
    diagnostics.push({ file: yaml.file, line: yaml.lineOf(['unit_tests']), key: 'unit_tests', message: 'expected a list of unit tests' });
    return;
  }
  raw.forEach((t, i) => {
    const path = ['unit_tests', i];
    const line = yaml.lineOf(path);
    let ok = true;
    const at = (key: (string | number)[], message: string): void => {
      ok = false;
      diagnostics.push({ file: yaml.file, line: yaml.lineOf([...path, ...key]), key: [...path, ...key].join('.'), message });
    };
    if (!isObj(t) || typeof t.name !== 'string' || typeof t.model !== 'string') {
      at([], 'a unit test needs a `name` and the `model` it tests');
      return;
    }
    if (into.some((u) => u.name === t.name)) at(['name'], `unit test \`${t.name}\` is declared twice`);
    const given: UnitGiven[] = [];
    const rawGiven = t.given ?? [];
    if (!Array.isArray(rawGiven)) at(['given'], 'given is a list of {input, rows}');
    else {
      rawGiven.forEach((g, j) => {
        const input = isObj(g) ? parseInput(g.input) : null;
        if (!isObj(g) || !input) {
          at(['given', j], `input must be ref('model') or source('source', 'table'), got ${JSON.stringify(isObj(g) ? g.input : g)}`);
          return;
        }
        const rows = parseRows(g, (key, message) => at(['given', j, key], message));
        if (rows) given.push({ input, label: String(g.input).trim(), rows, ...(g.format === 'csv' ? { csv: true as const } : {}) });
      });
    }
    const expect = isObj(t.expect) ? parseRows(t.expect, (key, message) => at(['expect', key], message)) : (at(['expect'], 'expect needs rows: [...]'), null);
    const overrides = t.overrides ?? {};
    if (!isObj(overrides) || (overrides.vars !== undefined && !isObj(overrides.vars))) at(['overrides'], 'overrides is {vars: {name: value}}');
    if (!ok || !expect) return;
    const vars = isObj(overrides) && isObj(overrides.vars) ? overrides.vars : {};
    into.push({ name: t.name, model: t.model, given, expect, vars, file: yaml.file, ...(line !== undefined ? { line } : {}) });
  });
}
