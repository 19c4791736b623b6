import type { Diagnostic } from '../core/errors.ts';
import { nameProblem } from '../core/names.ts';
import type { ColumnDoc, ModelDoc, TestSpec } from './types.ts';
import type { YamlFile } from './yaml-file.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const GENERIC_TESTS = ['unique', 'not_null', 'accepted_values', 'relationships', 'expression', 'row_count'] as const;

/**
 * One entry of a `tests:` list: `unique`, or `{accepted_values: {values: [...], severity: warn}}`,
 * or `{expression: "score between 0 and 100"}` (a bare string is the expression).
 */
function parseTest(raw: unknown, path: (string | number)[], yaml: YamlFile, diagnostics: Diagnostic[]): TestSpec | null {
  const line = yaml.lineOf(path);
  const problem = (message: string): null => {
    diagnostics.push({ file: yaml.file, line, key: path.join('.'), message });
    return null;
  };
  let kind: string;
  let args: Obj;
  if (typeof raw === 'string') {
    kind = raw;
    args = {};
  } else if (isObj(raw) && Object.keys(raw).length === 1) {
    kind = Object.keys(raw)[0]!;
    const value = raw[kind];
    args = isObj(value) ? { ...value } : kind === 'expression' && typeof value === 'string' ? { expr: value } : {};
    if (!isObj(value) && !(kind === 'expression' && typeof value === 'string') && value !== null) {
      return problem(`arguments of test \`${kind}\` must be a mapping`);
    }
  } else {
    return problem('a test is a name (e.g. `unique`) or a mapping with one key (e.g. `{accepted_values: {values: [1, 2]}}`)');
  }
  if (!(GENERIC_TESTS as readonly string[]).includes(kind)) {
    return problem(`unknown test \`${kind}\` (expected one of ${GENERIC_TESTS.join(', ')})`);
  }
  const config = isObj(args.config) ? args.config : {};
  const severity = args.severity ?? config.severity ?? 'error';
  delete args.severity;
  delete args.config;
  if (severity !== 'error' && severity !== 'warn') return problem(`severity must be error or warn, got ${JSON.stringify(severity)}`);
  const need = (key: string, ok: (v: unknown) => boolean, what: string): boolean => {
    if (ok(args[key])) return true;
    problem(`test \`${kind}\` needs \`${key}\`: ${what}`);
    return false;
  };
  const valid =
    (kind !== 'accepted_values' || need('values', Array.isArray, 'a list of allowed values')) &&
    (kind !== 'relationships' ||
      (need('to', (v) => typeof v === 'string', 'the model it refers to') &&
        need('field', (v) => typeof v === 'string', 'the column there'))) &&
    (kind !== 'expression' || need('expr', (v) => typeof v === 'string', 'a boolean SQL expression')) &&
    (kind !== 'row_count' ||
      need('min', (v) => v === undefined || typeof v === 'number', 'a number') &&
        need('max', (v) => v === undefined || typeof v === 'number', 'a number'));
  return valid ? { kind, args, severity, file: yaml.file, ...(line !== undefined ? { line } : {}) } : null;
}

function parseTests(raw: unknown, path: (string | number)[], yaml: YamlFile, diagnostics: Diagnostic[]): TestSpec[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    diagnostics.push({ file: yaml.file, line: yaml.lineOf(path), key: path.join('.'), message: 'expected a list of tests' });
    return [];
  }
  return raw.flatMap((t, i) => parseTest(t, [...path, i], yaml, diagnostics) ?? []);
}

/** Reads the `models:` list of a schema.yml into docs and tests per model name. */
export function parseSchemaDocs(yaml: YamlFile, into: Map<string, ModelDoc>, diagnostics: Diagnostic[]): void {
  const root = yaml.value;
  if (root === null || root === undefined) return;
  const models = isObj(root) ? root.models : undefined;
  // A file of unit tests only has no `models:`.
  if (models === undefined && isObj(root) && root.unit_tests !== undefined) return;
  if (!Array.isArray(models)) {
    diagnostics.push({ file: yaml.file, line: 1, key: 'models', message: 'expected a `models:` list' });
    return;
  }
  models.forEach((m, i) => {
    const path = ['models', i];
    if (!isObj(m) || typeof m.name !== 'string') {
      diagnostics.push({ file: yaml.file, line: yaml.lineOf(path), key: path.join('.'), message: 'each model needs a `name`' });
      return;
    }
    const line = yaml.lineOf(path);
    if (into.has(m.name)) {
      const first = into.get(m.name)!;
      diagnostics.push({ file: yaml.file, line, node: m.name, message: `model \`${m.name}\` is documented twice (first in ${first.file}:${first.line ?? 1})` });
      return;
    }
    const columns: ColumnDoc[] = [];
    const rawColumns = m.columns ?? [];
    if (!Array.isArray(rawColumns)) {
      diagnostics.push({ file: yaml.file, line: yaml.lineOf([...path, 'columns']), key: `models.${i}.columns`, message: 'expected a list of columns' });
    } else {
      rawColumns.forEach((c, j) => {
        const cpath = [...path, 'columns', j];
        if (!isObj(c) || typeof c.name !== 'string') {
          diagnostics.push({ file: yaml.file, line: yaml.lineOf(cpath), key: cpath.join('.'), message: 'each column needs a `name`' });
          return;
        }
        const bad = nameProblem(c.name);
        if (bad) {
          // Column names become SQL identifiers and file names (target/compiled/tests/).
          diagnostics.push({ file: yaml.file, line: yaml.lineOf([...cpath, 'name']), key: `${cpath.join('.')}.name`, message: `column ${bad}` });
          return;
        }
        const tests = parseTests(c.tests ?? c.data_tests, [...cpath, c.tests ? 'tests' : 'data_tests'], yaml, diagnostics);
        const contract = parseColumnContract(c, cpath, yaml, diagnostics);
        const cline = yaml.lineOf(cpath);
        columns.push({ name: c.name, ...(typeof c.description === 'string' ? { description: c.description } : {}), tests, ...contract, ...(cline !== undefined ? { line: cline } : {}) });
      });
    }
    const contract = parseContractConfig(m, path, yaml, diagnostics);
    into.set(m.name, {
      ...(typeof m.description === 'string' ? { description: m.description } : {}),
      ...(contract ? { contract } : {}),
      columns,
      tests: parseTests(m.tests ?? m.data_tests, [...path, 'tests'], yaml, diagnostics),
      file: yaml.file,
      ...(line !== undefined ? { line } : {}),
    });
  });
}

const CONSTRAINTS = ['not_null', 'primary_key'];

/** dbt's column contract keys: `data_type: text`, `constraints: [{type: not_null}]`. */
function parseColumnContract(c: Obj, path: (string | number)[], yaml: YamlFile, diagnostics: Diagnostic[]): { dataType?: string; notNull?: boolean } {
  const out: { dataType?: string; notNull?: boolean } = {};
  if (c.data_type !== undefined) {
    if (typeof c.data_type === 'string' && c.data_type.trim()) out.dataType = c.data_type.trim();
    else diagnostics.push({ file: yaml.file, line: yaml.lineOf([...path, 'data_type']), key: [...path, 'data_type'].join('.'), message: 'data_type must be a type name, e.g. `bigint` or `numeric(10,2)`' });
  }
  if (c.constraints !== undefined) {
    const list = Array.isArray(c.constraints) ? c.constraints : [];
    if (!Array.isArray(c.constraints)) diagnostics.push({ file: yaml.file, line: yaml.lineOf([...path, 'constraints']), key: [...path, 'constraints'].join('.'), message: 'constraints must be a list, e.g. [{type: not_null}]' });
    list.forEach((k, i) => {
      const type = isObj(k) ? k.type : k;
      if (typeof type === 'string' && CONSTRAINTS.includes(type)) out.notNull = true;
      else diagnostics.push({ file: yaml.file, line: yaml.lineOf([...path, 'constraints', i]), key: [...path, 'constraints', i].join('.'), message: `unknown constraint ${JSON.stringify(type)} (expected {type: ${CONSTRAINTS.join('} or {type: ')}})` });
    });
  }
  return out;
}

/** `config: {contract: {enforced: true}}` of a model entry. */
function parseContractConfig(m: Obj, path: (string | number)[], yaml: YamlFile, diagnostics: Diagnostic[]): boolean {
  const config = m.config;
  if (config === undefined) return false;
  const at = (key: (string | number)[], message: string): false => {
    diagnostics.push({ file: yaml.file, line: yaml.lineOf(key), key: key.join('.'), message });
    return false;
  };
  if (!isObj(config)) return at([...path, 'config'], 'config must be a mapping, e.g. {contract: {enforced: true}}');
  for (const key of Object.keys(config)) if (key !== 'contract') at([...path, 'config', key], `unknown model config \`${key}\` in schema.yml (expected contract)`);
  if (config.contract === undefined) return false;
  if (!isObj(config.contract) || typeof config.contract.enforced !== 'boolean') return at([...path, 'config', 'contract'], 'contract must be {enforced: true} or {enforced: false}');
  return config.contract.enforced;
}
