/**
 * The yml files under models/, in the shape dbt users write: `models:`, `sources:` and
 * `exposures:`, any of them in any file. Every key is either understood or an error with
 * its line (and a did-you-mean); a dbt key strata does not support says so plainly.
 */
import type { Diagnostic } from '../core/errors.ts';
import { nameProblem } from '../core/names.ts';
import { didYouMean } from '../core/suggest.ts';
import type { ColumnDoc, ExposureDoc, ModelDoc, SourceConfig, TestConfig, TestSpec } from './types.ts';
import type { YamlFile } from './yaml-file.ts';

type Obj = Record<string, unknown>;
type Path = (string | number)[];
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const GENERIC_TESTS = ['unique', 'not_null', 'accepted_values', 'relationships', 'expression', 'expression_is_true', 'row_count'] as const;
/** dbt_utils' name for the same test. */
const TEST_ALIASES: Record<string, string> = { 'dbt_utils.expression_is_true': 'expression_is_true' };
const TEST_ARGS: Record<string, string[]> = {
  unique: [],
  not_null: [],
  accepted_values: ['values', 'quote'],
  relationships: ['to', 'field'],
  expression: ['expr'],
  expression_is_true: ['expression'],
  row_count: ['min', 'max'],
};
const TEST_CONFIG = ['severity', 'where', 'limit', 'warn_if', 'error_if', 'store_failures'];

/** dbt keys with no strata equivalent: an error that says so, never silently dropped. */
const UNSUPPORTED: Record<string, string> = {
  analyses: 'analyses are not supported',
  macros: 'macro properties are not supported: document a macro in a {{!-- comment --}} at its top',
  metrics: 'metrics are not supported',
  semantic_models: 'the semantic layer is not supported',
  saved_queries: 'the semantic layer is not supported',
  groups: 'groups are not supported',
  seeds: 'seed properties live in project.yaml under `seeds:` (schema, column_types, primary_key)',
  versions: 'model versions are not supported',
  latest_version: 'model versions are not supported',
  access: 'model access (groups) is not supported',
  group: 'groups are not supported',
  docs: '`docs: {show, node_color}` is not supported: every model is shown',
  data_type: "a model's column types come from its SQL (write a cast); a source table's typed columns are declared in project.yaml `sources:`",
  quote: 'identifiers are always quoted',
  freshness: 'source freshness is declared in project.yaml `sources:` (tables: [{name, loaded_at_field, freshness: {warn_after, error_after}}])',
  loaded_at_field: 'source freshness is declared in project.yaml `sources:` (tables: [{name, loaded_at_field, freshness}])',
  loader: 'source loaders are not recorded',
  identifier: 'a source table is named as it is in the database',
  database: 'one database per target: set DATABASE_URL',
  overrides: 'package overrides are not supported',
  deprecation_date: 'model deprecation is not supported',
  enabled: 'every model and test is enabled: remove the file or use --exclude',
};

/** What the yml files of one project declare, gathered across files. */
export interface SchemaDocs {
  models: Map<string, ModelDoc>;
  sources: SourceConfig[];
  exposures: ExposureDoc[];
}

export const emptySchemaDocs = (): SchemaDocs => ({ models: new Map(), sources: [], exposures: [] });

class YamlReader {
  constructor(
    readonly yaml: YamlFile,
    readonly diagnostics: Diagnostic[],
    /** `{% docs name %}` blocks from .md files, for `{{ doc("name") }}` in descriptions. */
    readonly docBlocks: ReadonlyMap<string, string>,
  ) {}

  problem(path: Path, message: string): void {
    this.diagnostics.push({ file: this.yaml.file, line: this.yaml.lineOf(path), key: path.join('.'), message });
  }

  /** Reports every key that is not in `known`; true when all are. */
  keys(obj: Obj, path: Path, known: readonly string[], what: string): boolean {
    let ok = true;
    for (const key of Object.keys(obj)) {
      if (known.includes(key)) continue;
      ok = false;
      const why = UNSUPPORTED[key];
      this.problem([...path, key], why ? `\`${key}\` is not supported here: ${why}` : `unknown key \`${key}\` in ${what}${didYouMean(key, known)} (expected ${known.join(', ')})`);
    }
    return ok;
  }

  /** A description, with `{{ doc("name") }}` replaced by that docs block. */
  description(v: unknown, path: Path): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') {
      this.problem(path, 'a description is text');
      return undefined;
    }
    return v.replace(/\{\{\s*doc\s*(?:\(\s*(['"])([^'"]+)\1\s*\)|\s+"([^"]+)")\s*\}\}/g, (whole, _q, a?: string, b?: string) => {
      const name = (a ?? b)!;
      const block = this.docBlocks.get(name);
      if (block === undefined) {
        this.problem(path, `no docs block \`${name}\` ({% docs ${name} %} … {% enddocs %} in a .md file under models/)${didYouMean(name, this.docBlocks.keys())}`);
        return whole;
      }
      return block;
    });
  }

  meta(v: unknown, path: Path): Obj | undefined {
    if (v === undefined) return undefined;
    if (!isObj(v)) {
      this.problem(path, '`meta` is a mapping of your own keys');
      return undefined;
    }
    return v;
  }

  list(v: unknown, path: Path, what: string): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.problem(path, `expected a list of ${what}`);
      return [];
    }
    return v;
  }

  /** `name:` present and a valid SQL name. */
  name(obj: Obj, path: Path, what: string): string | null {
    if (typeof obj.name !== 'string') {
      this.problem(path, `each ${what} needs a \`name\``);
      return null;
    }
    const bad = nameProblem(obj.name);
    if (bad) {
      this.problem([...path, 'name'], `${what} ${bad}`);
      return null;
    }
    return obj.name;
  }
}

const COMPARISON = /^\s*(>=|<=|!=|<>|==|=|>|<)\s*(\d+)\s*$/;

/** Whether a failure count meets a dbt condition such as `>10` or `!=0`. */
export function meetsCondition(condition: string, failures: number): boolean {
  const m = COMPARISON.exec(condition);
  if (!m) return failures !== 0;
  const n = Number(m[2]);
  switch (m[1]) {
    case '>': return failures > n;
    case '>=': return failures >= n;
    case '<': return failures < n;
    case '<=': return failures <= n;
    case '=': case '==': return failures === n;
    default: return failures !== n;
  }
}

function parseTestConfig(r: YamlReader, raw: Obj, path: Path): { config: TestConfig; severity: unknown } | null {
  const config: TestConfig = {};
  let ok = true;
  const bad = (key: string, message: string): void => {
    r.problem([...path, key], message);
    ok = false;
  };
  if (raw.where !== undefined) {
    if (typeof raw.where === 'string' && raw.where.trim()) config.where = raw.where;
    else bad('where', '`where` is a SQL condition, e.g. "order_date >= \'2018-01-01\'"');
  }
  if (raw.limit !== undefined) {
    if (Number.isInteger(raw.limit) && (raw.limit as number) >= 0) config.limit = raw.limit as number;
    else bad('limit', '`limit` is a whole number of failing rows');
  }
  for (const [key, field] of [['warn_if', 'warnIf'], ['error_if', 'errorIf']] as const) {
    if (raw[key] === undefined) continue;
    if (typeof raw[key] === 'string' && COMPARISON.test(raw[key])) config[field] = raw[key];
    else bad(key, `\`${key}\` compares the number of failures, e.g. ">10" or "!=0"`);
  }
  if (raw.store_failures !== undefined) {
    if (typeof raw.store_failures === 'boolean') config.storeFailures = raw.store_failures;
    else bad('store_failures', '`store_failures` is true or false');
  }
  return ok ? { config, severity: raw.severity } : null;
}

/**
 * One entry of a `data_tests:` list: `unique`, or `{accepted_values: {values: [...], config: {severity: warn}}}`,
 * or `{expression: "score between 0 and 100"}` (a bare string is the expression).
 */
function parseTest(r: YamlReader, raw: unknown, path: Path, column: string | undefined): TestSpec | null {
  const line = r.yaml.lineOf(path);
  const problem = (message: string, at: Path = path): null => {
    r.problem(at, message);
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
    const shorthand = (kind === 'expression' || kind === 'expression_is_true' || kind === 'dbt_utils.expression_is_true') && typeof value === 'string';
    if (!isObj(value) && !shorthand && value !== null) return problem(`arguments of test \`${kind}\` must be a mapping`);
    args = isObj(value) ? { ...value } : shorthand ? { [kind === 'expression' ? 'expr' : 'expression']: value } : {};
  } else {
    return problem('a test is a name (e.g. `unique`) or a mapping with one key (e.g. `{accepted_values: {values: [1, 2]}}`)');
  }
  kind = TEST_ALIASES[kind] ?? kind;
  if (!(GENERIC_TESTS as readonly string[]).includes(kind)) {
    return problem(`unknown test \`${kind}\`${didYouMean(kind, GENERIC_TESTS)} (generic tests: ${GENERIC_TESTS.join(', ')}; anything else is a singular test in tests/)`);
  }
  const argPath = typeof raw === 'string' ? path : [...path, Object.keys(raw as Obj)[0]!];
  // dbt accepts config keys beside the arguments too (its older form).
  if (!r.keys(args, argPath, [...TEST_ARGS[kind]!, 'config', 'name', ...TEST_CONFIG], `test \`${kind}\``)) return null;
  const nested = args.config === undefined ? {} : isObj(args.config) ? args.config : null;
  if (!nested) return problem('`config` of a test is a mapping', [...argPath, 'config']);
  if (!r.keys(nested, [...argPath, 'config'], TEST_CONFIG, 'a test config')) return null;
  const top = parseTestConfig(r, args, argPath);
  const inner = parseTestConfig(r, nested, [...argPath, 'config']);
  if (!top || !inner) return null;
  const severity = inner.severity ?? top.severity ?? 'error';
  if (severity !== 'error' && severity !== 'warn') return problem(`severity must be error or warn, got ${JSON.stringify(severity)}`);
  const name = args.name;
  for (const k of ['config', 'name', ...TEST_CONFIG]) delete args[k];
  const need = (key: string, ok: (v: unknown) => boolean, what: string): boolean => {
    if (ok(args[key])) return true;
    problem(`test \`${kind}\` needs \`${key}\`: ${what}`);
    return false;
  };
  const valid =
    (kind !== 'accepted_values' || need('values', Array.isArray, 'a list of allowed values')) &&
    (kind !== 'relationships' ||
      (need('to', (v) => typeof v === 'string', 'the model it refers to') && need('field', (v) => typeof v === 'string', 'the column there'))) &&
    (kind !== 'expression' || need('expr', (v) => typeof v === 'string', 'a boolean SQL expression')) &&
    (kind !== 'expression_is_true' || need('expression', (v) => typeof v === 'string', column ? 'a condition on the column, e.g. ">= 0"' : 'a boolean SQL expression')) &&
    (kind !== 'row_count' ||
      (need('min', (v) => v === undefined || typeof v === 'number', 'a number') && need('max', (v) => v === undefined || typeof v === 'number', 'a number')));
  if (!valid) return null;
  if (name !== undefined && (typeof name !== 'string' || nameProblem(name))) return problem(`a test's \`name\` ${typeof name === 'string' ? nameProblem(name) : 'is text'}`);
  return {
    kind,
    args,
    severity,
    config: { ...top.config, ...inner.config },
    ...(typeof name === 'string' ? { name } : {}),
    file: r.yaml.file,
    ...(line !== undefined ? { line } : {}),
  };
}

function parseTests(r: YamlReader, obj: Obj, path: Path, column?: string): TestSpec[] {
  if (obj.tests !== undefined && obj.data_tests !== undefined) {
    r.problem([...path, 'tests'], 'both `tests` and `data_tests`: use one (`data_tests` is the current dbt name)');
  }
  const key = obj.data_tests !== undefined ? 'data_tests' : 'tests';
  return r.list(obj[key], [...path, key], 'tests').flatMap((t, i) => parseTest(r, t, [...path, key, i], column) ?? []);
}

function parseColumns(r: YamlReader, raw: unknown, path: Path, withTests: boolean): ColumnDoc[] {
  const seen = new Set<string>();
  return r.list(raw, path, 'columns').flatMap((c, j): ColumnDoc[] => {
    const cpath = [...path, j];
    if (!isObj(c)) {
      r.problem(cpath, 'each column is a mapping with a `name`');
      return [];
    }
    const name = r.name(c, cpath, 'column');
    if (!name) return [];
    if (seen.has(name)) r.problem([...cpath, 'name'], `column \`${name}\` is listed twice`);
    seen.add(name);
    r.keys(c, cpath, ['name', 'description', 'meta', 'tags', ...(withTests ? ['tests', 'data_tests', 'data_type', 'constraints'] : [])], `column \`${name}\``);
    const description = r.description(c.description, [...cpath, 'description']);
    const meta = r.meta(c.meta, [...cpath, 'meta']);
    const contract = withTests ? parseColumnContract(c, cpath, r.yaml, r.diagnostics) : {};
    const line = r.yaml.lineOf(cpath);
    return [{
      name, ...(description !== undefined ? { description } : {}), tests: withTests ? parseTests(r, c, cpath, name) : [], ...(meta ? { meta } : {}),
      ...contract, ...(line !== undefined ? { line } : {}),
    }];
  });
}

const MODEL_KEYS = ['name', 'description', 'columns', 'tests', 'data_tests', 'config', 'meta'];
/** A model's `config:` in yml: the keys of {{config}} plus dbt's meta. */
export const YML_MODEL_CONFIG = ['materialized', 'unique_key', 'keys_from', 'tags', 'indexes', 'settings', 'description', 'export', 'meta', 'contract'];

function parseModels(r: YamlReader, into: Map<string, ModelDoc>): void {
  const models = r.yaml.value && isObj(r.yaml.value) ? r.yaml.value.models : undefined;
  r.list(models, ['models'], 'models').forEach((m, i) => {
    const path = ['models', i];
    if (!isObj(m)) {
      r.problem(path, 'each model is a mapping with a `name`');
      return;
    }
    const name = r.name(m, path, 'model');
    if (!name) return;
    const line = r.yaml.lineOf(path);
    if (into.has(name)) {
      const first = into.get(name)!;
      r.diagnostics.push({ file: r.yaml.file, line, node: name, message: `model \`${name}\` is documented twice (first in ${first.file}:${first.line ?? 1})` });
      return;
    }
    r.keys(m, path, MODEL_KEYS, `model \`${name}\``);
    let config: Obj | undefined;
    if (m.config !== undefined) {
      if (!isObj(m.config)) r.problem([...path, 'config'], '`config` is a mapping, e.g. {materialized: table}');
      else if (r.keys(m.config, [...path, 'config'], YML_MODEL_CONFIG, 'a model config')) {
        // The contract is schema.yml's own; the rest is the model's config.
        const { contract: _, ...rest } = m.config;
        config = rest;
      }
    }
    const contract = parseContractConfig(m, path, r.yaml, r.diagnostics);
    const description = r.description(m.description, [...path, 'description']);
    const meta = r.meta(m.meta, [...path, 'meta']);
    into.set(name, {
      ...(description !== undefined ? { description } : {}),
      ...(contract ? { contract } : {}),
      columns: parseColumns(r, m.columns, [...path, 'columns'], true),
      tests: parseTests(r, m, path),
      ...(meta ? { meta } : {}),
      ...(config ? { config } : {}),
      file: r.yaml.file,
      ...(line !== undefined ? { line } : {}),
    });
  });
}

function parseSources(r: YamlReader, into: SourceConfig[]): void {
  const sources = (r.yaml.value as Obj).sources;
  r.list(sources, ['sources'], 'sources').forEach((s, i) => {
    const path = ['sources', i];
    if (!isObj(s)) {
      r.problem(path, 'each source is a mapping with a `name` and `tables`');
      return;
    }
    const name = r.name(s, path, 'source');
    if (!name) return;
    r.keys(s, path, ['name', 'description', 'schema', 'tables', 'meta', 'tags'], `source \`${name}\``);
    if (s.schema !== undefined && (typeof s.schema !== 'string' || nameProblem(s.schema))) r.problem([...path, 'schema'], `schema ${typeof s.schema === 'string' ? nameProblem(s.schema) : 'is a name'}`);
    const tableDocs: NonNullable<SourceConfig['tableDocs']> = {};
    const tables: string[] = [];
    r.list(s.tables, [...path, 'tables'], 'tables').forEach((t, j) => {
      const tpath = [...path, 'tables', j];
      const table = isObj(t) ? r.name(t, tpath, 'source table') : null;
      if (!isObj(t) || !table) {
        if (!isObj(t)) r.problem(tpath, 'each table is a mapping with a `name`');
        return;
      }
      r.keys(t, tpath, ['name', 'description', 'columns', 'meta', 'tags'], `source table \`${name}.${table}\``);
      const description = r.description(t.description, [...tpath, 'description']);
      const meta = r.meta(t.meta, [...tpath, 'meta']);
      tables.push(table);
      tableDocs[table] = { ...(description !== undefined ? { description } : {}), columns: parseColumns(r, t.columns, [...tpath, 'columns'], false), ...(meta ? { meta } : {}) };
    });
    if (tables.length === 0) r.problem(path, `source \`${name}\` lists no tables`);
    const description = r.description(s.description, [...path, 'description']);
    const meta = r.meta(s.meta, [...path, 'meta']);
    into.push({
      name,
      schema: typeof s.schema === 'string' ? s.schema : name,
      tables,
      tableDocs,
      ...(description !== undefined ? { description } : {}),
      ...(meta ? { meta } : {}),
      file: r.yaml.file,
    });
  });
}

const EXPOSURE_TYPES = ['dashboard', 'notebook', 'analysis', 'ml', 'application'];
const EXPOSURE_KEYS = ['name', 'type', 'description', 'label', 'url', 'maturity', 'owner', 'depends_on', 'tags', 'meta'];

function parseExposures(r: YamlReader, into: ExposureDoc[]): void {
  const exposures = (r.yaml.value as Obj).exposures;
  r.list(exposures, ['exposures'], 'exposures').forEach((e, i) => {
    const path = ['exposures', i];
    if (!isObj(e)) {
      r.problem(path, 'each exposure is a mapping with a `name`, a `type` and `depends_on`');
      return;
    }
    const name = r.name(e, path, 'exposure');
    if (!name) return;
    r.keys(e, path, EXPOSURE_KEYS, `exposure \`${name}\``);
    if (!EXPOSURE_TYPES.includes(e.type as string)) r.problem([...path, 'type'], `exposure type is one of ${EXPOSURE_TYPES.join(', ')}`);
    if (e.maturity !== undefined && !['high', 'medium', 'low'].includes(e.maturity as string)) r.problem([...path, 'maturity'], 'maturity is high, medium or low');
    const owner = e.owner === undefined ? undefined : isObj(e.owner) ? e.owner : null;
    if (owner === null) r.problem([...path, 'owner'], '`owner` is a mapping with name and email');
    else if (owner) r.keys(owner, [...path, 'owner'], ['name', 'email'], 'an exposure owner');
    const refs: string[] = [];
    const sources: { source: string; table: string }[] = [];
    r.list(e.depends_on, [...path, 'depends_on'], "ref('model') or source('name', 'table') entries").forEach((d, j) => {
      const text = typeof d === 'string' ? d.trim() : '';
      const ref = /^ref\(\s*['"]([^'"]+)['"]\s*\)$/.exec(text) ?? /^\{\{\s*ref\s+"([^"]+)"\s*\}\}$/.exec(text);
      const source = /^source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)$/.exec(text) ?? /^\{\{\s*source\s+"([^"]+)"\s+"([^"]+)"\s*\}\}$/.exec(text);
      if (ref) refs.push(ref[1]!);
      else if (source) sources.push({ source: source[1]!, table: source[2]! });
      else r.problem([...path, 'depends_on', j], `write ref('model') or source('name', 'table'), got ${JSON.stringify(d)}`);
    });
    const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    const description = r.description(e.description, [...path, 'description']);
    const meta = r.meta(e.meta, [...path, 'meta']);
    const line = r.yaml.lineOf(path);
    into.push({
      name,
      type: String(e.type),
      ...(description !== undefined ? { description } : {}),
      ...(str(e.label) ? { label: str(e.label)! } : {}),
      ...(str(e.url) ? { url: str(e.url)! } : {}),
      ...(str(e.maturity) ? { maturity: str(e.maturity)! } : {}),
      ...(owner ? { owner: { ...(str(owner.name) ? { name: str(owner.name)! } : {}), ...(str(owner.email) ? { email: str(owner.email)! } : {}) } } : {}),
      refs,
      sources,
      tags: Array.isArray(e.tags) ? e.tags.map(String) : [],
      ...(meta ? { meta } : {}),
      file: r.yaml.file,
      ...(line !== undefined ? { line } : {}),
    });
  });
}

/** Reads one yml file under models/ into `into`. */
export function parseSchemaFile(yaml: YamlFile, into: SchemaDocs, diagnostics: Diagnostic[], docBlocks: ReadonlyMap<string, string> = new Map()): void {
  const root = yaml.value;
  if (root === null || root === undefined) return;
  const r = new YamlReader(yaml, diagnostics, docBlocks);
  if (!isObj(root)) {
    r.problem([], 'expected a mapping with `models:`, `sources:` or `exposures:`');
    return;
  }
  r.keys(root, [], ['version', 'models', 'sources', 'exposures', 'unit_tests'], 'a yml file');
  parseModels(r, into.models);
  parseSources(r, into.sources);
  parseExposures(r, into.exposures);
}

/** Kept for callers that only read models. */
export function parseSchemaDocs(yaml: YamlFile, into: Map<string, ModelDoc>, diagnostics: Diagnostic[]): void {
  const docs: SchemaDocs = { models: into, sources: [], exposures: [] };
  parseSchemaFile(yaml, docs, diagnostics);
}

/** `{% docs name %} … {% enddocs %}` blocks of one .md file. */
export function parseDocBlocks(text: string, file: string, into: Map<string, string>, diagnostics: Diagnostic[]): void {
  const re = /\{%-?\s*docs\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\}([\s\S]*?)\{%-?\s*enddocs\s*-?%\}/g;
  for (const m of text.matchAll(re)) {
    const line = text.slice(0, m.index).split('\n').length;
    if (into.has(m[1]!)) diagnostics.push({ file, line, message: `docs block \`${m[1]}\` is defined twice` });
    into.set(m[1]!, m[2]!.trim());
  }
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
  if (!isObj(config) || config.contract === undefined) return false;
  if (!isObj(config.contract) || typeof config.contract.enforced !== 'boolean') {
    diagnostics.push({ file: yaml.file, line: yaml.lineOf([...path, 'config', 'contract']), key: [...path, 'config', 'contract'].join('.'), message: 'contract must be {enforced: true} or {enforced: false}' });
    return false;
  }
  return config.contract.enforced;
}
