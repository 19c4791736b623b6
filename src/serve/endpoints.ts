/**
 * The endpoints of `serve`, declared the way models are: `api/<name>.sql` holds one
 * templated `select`, `api/<name>.yml` its path, description and typed parameters. The
 * SQL names its inputs with `{{param "name"}}`, rendered as `$1`, `$2`… (cast to the
 * declared type) and bound at request time, never interpolated; `{{ref "model"}}` names a
 * published relation the serving role may read, which is also the endpoint's lineage.
 * Every problem of every file is collected and reported at once, with file and line.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { ProjectError, type Diagnostic } from '../core/errors.ts';
import { qualify } from '../engine/quote.ts';
import { lockOrder } from '../batch/publish.ts';
import { readYaml, type YamlFile } from '../project/yaml-file.ts';
import type { Project } from '../project/types.ts';
import { DEFAULT_SERVE_ROLE } from './defaults.ts';

export type ParamType = 'string' | 'integer' | 'number' | 'boolean';
const SQL_TYPE: Record<ParamType, string> = { string: 'text', integer: 'bigint', number: 'numeric', boolean: 'boolean' };

export interface ParamSpec {
  name: string;
  in: 'path' | 'query';
  type: ParamType;
  description?: string;
  required: boolean;
  default?: string | number | boolean;
  enum?: (string | number)[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  pattern?: string;
}

export interface Endpoint {
  name: string;
  /** `api/<name>.sql`, for messages and the docs. */
  file: string;
  /** The OpenAPI form, `/api/products/{product_id}`. */
  path: string;
  description: string;
  /** `one`: the first row, 404 without one; `list`: the rows, paged when `paginate` is set. */
  result: 'one' | 'list';
  params: ParamSpec[];
  /** The rendered SQL, with `$n` placeholders. */
  sql: string;
  /** Which value goes to `$1`, `$2`…: a declared parameter, or the decoded cursor. */
  bind: string[];
  /** Models it reads, in order of first use. */
  refs: string[];
  /** The published relations it reads, in the order every locker takes them (see publish.ts). */
  views: string[];
  /** A list ordered by this column (ascending, unique within a response); the `cursor` resumes after it. */
  paginate?: string;
  /** For an empty list: this other endpoint, asked with the same parameters, tells 404 from "no rows". */
  foundBy?: string;
  /** Descriptions of columns the SQL makes itself (the models' schema.yml describe the rest). */
  columns?: Record<string, string>;
}

/** The name `{{cursor}}` binds under; not a declarable parameter name. */
export const CURSOR = 'cursor';
const NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const PATH = /^\/api(\/([a-z0-9_-]+|\{[a-z_][a-z0-9_]*\}))+$/;
const ENDPOINT_KEYS = new Set(['path', 'description', 'result', 'params', 'paginate', 'found_by', 'columns']);
const PARAM_KEYS = new Set(['in', 'type', 'description', 'required', 'default', 'enum', 'minimum', 'maximum', 'max_length', 'pattern']);

interface RenderState {
  file: string;
  params: Map<string, ParamSpec>;
  bind: string[];
  refs: string[];
  diagnostics: Diagnostic[];
}

interface HelperOptions {
  data: { api: RenderState };
  loc?: { start: { line: number; column: number } };
}

/** Names `ref` may point at: models whose published schema the serving role can read. */
export interface Readable {
  /** model → its published schema */
  models: Map<string, { schema: string; layer: string }>;
  /** Layers the role reads. */
  layers: Set<string>;
  role: string;
}

function renderer() {
  const hb = Handlebars.create();
  const problem = (o: HelperOptions, message: string): void => {
    const s = o.data.api;
    s.diagnostics.push({ file: s.file, ...(o.loc ? { line: o.loc.start.line, column: o.loc.start.column + 1 } : {}), message });
  };
  const placeholder = (s: RenderState, key: string, type: string): string => {
    let i = s.bind.indexOf(key);
    if (i < 0) i = s.bind.push(key) - 1;
    return `$${i + 1}::${type}`;
  };
  hb.registerHelper('param', function (this: unknown, ...args: unknown[]) {
    const o = args.pop() as HelperOptions;
    const name = args[0];
    const s = o.data.api;
    if (typeof name !== 'string' || args.length !== 1) {
      problem(o, '`param` takes one parameter name, e.g. {{param "product_id"}}');
      return '';
    }
    const spec = s.params.get(name);
    if (!spec) {
      problem(o, `unknown parameter \`${name}\`: declare it under params: in the endpoint's .yml`);
      return 'null';
    }
    return new hb.SafeString(placeholder(s, name, SQL_TYPE[spec.type]));
  });
  hb.registerHelper('cursor', function (this: unknown, ...args: unknown[]) {
    const o = args.pop() as HelperOptions;
    return new hb.SafeString(placeholder(o.data.api, CURSOR, 'bigint'));
  });
  hb.registerHelper('ref', function (this: unknown, ...args: unknown[]) {
    const o = args.pop() as HelperOptions;
    const name = args[0];
    if (typeof name !== 'string' || args.length !== 1) {
      problem(o, '`ref` takes one model name, e.g. {{ref "dim_product"}}');
      return '';
    }
    const s = o.data.api;
    if (!s.refs.includes(name)) s.refs.push(name);
    return new hb.SafeString(`\u0000ref:${name}\u0000`);
  });
  return hb;
}

function parseParam(yaml: YamlFile, name: string, raw: unknown, inPath: boolean, out: Diagnostic[]): ParamSpec | null {
  const at = (key?: string): Diagnostic => ({ file: yaml.file, line: yaml.lineOf(key ? ['params', name, key] : ['params', name]), key: `params.${name}${key ? `.${key}` : ''}`, message: '' });
  const bad = (message: string, key?: string): null => {
    out.push({ ...at(key), message });
    return null;
  };
  if (!NAME.test(name) || name === CURSOR) return bad(`a parameter name is lower_snake_case and not \`${CURSOR}\` (reserved for paging)`);
  const p = (raw ?? {}) as Record<string, unknown>;
  if (typeof p !== 'object' || Array.isArray(p)) return bad('expected a mapping such as { type: integer, minimum: 1 }');
  for (const k of Object.keys(p)) if (!PARAM_KEYS.has(k)) return bad(`unknown key \`${k}\` (expected one of ${[...PARAM_KEYS].join(', ')})`, k);
  const type = (p.type ?? 'string') as ParamType;
  if (!(type in SQL_TYPE)) return bad(`type must be one of ${Object.keys(SQL_TYPE).join(', ')}`, 'type');
  const where = p.in ?? (inPath ? 'path' : 'query');
  if (where !== 'path' && where !== 'query') return bad('in must be path or query', 'in');
  if ((where === 'path') !== inPath) return bad(inPath ? 'it is in the path, so in: path' : 'in: path, but the path has no {' + name + '}', 'in');
  const num = (k: string): number | undefined => (typeof p[k] === 'number' ? (p[k] as number) : p[k] === undefined ? undefined : (bad(`${k} must be a number`, k), undefined));
  const spec: ParamSpec = {
    name,
    in: where,
    type,
    required: where === 'path' || p.required === true,
    ...(typeof p.description === 'string' ? { description: p.description } : {}),
    ...(p.default !== undefined ? { default: p.default as string | number | boolean } : {}),
    ...(Array.isArray(p.enum) ? { enum: p.enum as (string | number)[] } : {}),
    ...(num('minimum') !== undefined ? { minimum: p.minimum as number } : {}),
    ...(num('maximum') !== undefined ? { maximum: p.maximum as number } : {}),
    ...(num('max_length') !== undefined ? { maxLength: p.max_length as number } : {}),
    ...(typeof p.pattern === 'string' ? { pattern: p.pattern } : {}),
  };
  // A string without a bound would let a request ship megabytes to the database.
  if (type === 'string' && spec.maxLength === undefined && spec.enum === undefined) {
    return bad('a string parameter needs max_length (or enum): requests must not carry unbounded text to the database', 'max_length');
  }
  return spec;
}

function loadOne(dir: string, name: string, readable: Readable, diagnostics: Diagnostic[]): Omit<Endpoint, 'views'> & { views: string[] } | null {
  const sqlFile = `api/${name}.sql`;
  const ymlFile = `api/${name}.yml`;
  const before = diagnostics.length;
  if (!NAME.test(name)) diagnostics.push({ file: sqlFile, message: 'an endpoint file name is lower_snake_case' });
  if (!existsSync(join(dir, 'api', `${name}.yml`))) {
    diagnostics.push({ file: sqlFile, message: `no ${ymlFile} beside it: declare the endpoint's path, description and params there` });
    return null;
  }
  const yaml = readYaml(join(dir, 'api', `${name}.yml`), ymlFile, diagnostics);
  if (!yaml) return null;
  const y = (yaml.value ?? {}) as Record<string, unknown>;
  const at = (key: string, message: string): void => void diagnostics.push({ file: ymlFile, line: yaml.lineOf([key]), key, message });
  for (const k of Object.keys(y)) if (!ENDPOINT_KEYS.has(k)) at(k, `unknown key (expected one of ${[...ENDPOINT_KEYS].join(', ')})`);
  const path = typeof y.path === 'string' ? y.path : '';
  if (!PATH.test(path)) at('path', 'expected a path under /api/ such as /api/products/{product_id}');
  if (typeof y.description !== 'string' || !y.description.trim()) at('description', 'every endpoint says what it returns (it becomes the OpenAPI description)');
  const result = y.result ?? 'list';
  if (result !== 'one' && result !== 'list') at('result', 'expected one (a row, 404 without) or list (rows)');
  const inPath = new Set([...path.matchAll(/\{([a-z_][a-z0-9_]*)\}/g)].map((m) => m[1]!));
  const params = new Map<string, ParamSpec>();
  const rawParams = (y.params ?? {}) as Record<string, unknown>;
  for (const [pname, raw] of Object.entries(rawParams)) {
    const spec = parseParam(yaml, pname, raw, inPath.has(pname), diagnostics);
    if (spec) params.set(pname, spec);
  }
  for (const p of inPath) if (!(p in rawParams)) at('path', `{${p}} is in the path but not declared under params`);
  const paginate = y.paginate;
  if (paginate !== undefined && (typeof paginate !== 'string' || !NAME.test(paginate))) at('paginate', 'expected the name of the column the list is ordered by');
  if (paginate !== undefined && params.get('limit')?.type !== 'integer') at('paginate', 'a paged list declares an integer `limit` parameter');
  if (paginate !== undefined && result !== 'list') at('paginate', 'only a list is paged');
  const columns = y.columns ?? {};
  if (typeof columns !== 'object' || Array.isArray(columns) || Object.values(columns).some((d) => typeof d !== 'string')) at('columns', 'expected a mapping of column name to its description');

  const state: RenderState = { file: sqlFile, params, bind: [], refs: [], diagnostics };
  let sql = '';
  try {
    sql = renderer().compile(readFileSync(join(dir, 'api', `${name}.sql`), 'utf8'), { noEscape: true, strict: false })({}, { data: { api: state } });
  } catch (err) {
    const m = /Parse error on line (\d+)/.exec((err as Error).message);
    diagnostics.push({ file: sqlFile, ...(m ? { line: Number(m[1]) } : {}), message: `template error: ${(err as Error).message.split('\n')[0]}` });
  }
  if (paginate !== undefined && !state.bind.includes(CURSOR)) diagnostics.push({ file: sqlFile, message: 'a paged endpoint resumes after {{cursor}}: use it, e.g. where r.position > {{cursor}}' });
  for (const p of params.values()) if (!state.bind.includes(p.name)) diagnostics.push({ file: ymlFile, line: yaml.lineOf(['params', p.name]), message: `parameter \`${p.name}\` is declared but the SQL never uses {{param "${p.name}"}}` });
  if (state.refs.length === 0) diagnostics.push({ file: sqlFile, message: 'an endpoint reads published models through {{ref "model"}}' });
  const views: string[] = [];
  for (const ref of state.refs) {
    const m = readable.models.get(ref);
    if (!m) diagnostics.push({ file: sqlFile, message: `unknown ref \`${ref}\`: no model has that name` });
    else if (!readable.layers.has(m.layer)) diagnostics.push({ file: sqlFile, message: `ref \`${ref}\` is in layer ${m.layer}, which the serving role ${readable.role} cannot read` });
    else views.push(qualify(m.schema, ref));
  }
  if (diagnostics.length > before) return null;
  const rendered = sql.replace(/\u0000ref:([^\u0000]+)\u0000/g, (_, ref: string) => qualify(readable.models.get(ref)!.schema, ref)).trim().replace(/;\s*$/, '');
  return {
    name,
    file: sqlFile,
    path,
    description: (y.description as string).trim(),
    result: result as 'one' | 'list',
    params: [...params.values()],
    sql: rendered,
    bind: state.bind,
    refs: state.refs,
    views: lockOrder(views),
    ...(paginate ? { paginate: paginate as string } : {}),
    ...(typeof y.found_by === 'string' ? { foundBy: y.found_by } : {}),
    ...(Object.keys(columns).length ? { columns: columns as Record<string, string> } : {}),
  };
}

/** Reads every `api/*.sql` of the project; throws a ProjectError listing every problem. */
export function loadEndpoints(project: Project, role: string): Endpoint[] {
  const dir = join(project.dir, 'api');
  if (!existsSync(dir)) throw new ProjectError([{ file: 'api/', message: 'no api/ folder: declare endpoints as api/<name>.sql + api/<name>.yml' }], 'endpoint');
  const roleConfig = project.config.roles.find((r) => r.name === role);
  const layers = new Map(project.config.layers.map((l) => [l.name, l]));
  const readable: Readable = {
    role,
    layers: new Set([...(roleConfig?.read ?? []), ...(roleConfig?.write ?? [])]),
    models: new Map(project.models.map((m) => [m.name, { layer: m.layer, schema: layers.get(m.layer)?.schema ?? m.layer }])),
  };
  const diagnostics: Diagnostic[] = [];
  if (!roleConfig) diagnostics.push({ file: 'project.yaml', key: `roles.${role}`, message: `serve reads as role ${role}, which project.yaml does not declare` });
  const names = readdirSync(dir).filter((f) => f.endsWith('.sql')).map((f) => basename(f, '.sql')).sort();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.yml') && !names.includes(basename(f, '.yml')))) {
    diagnostics.push({ file: `api/${f}`, message: `no api/${basename(f, '.yml')}.sql beside it` });
  }
  const endpoints = names.map((n) => loadOne(project.dir, n, readable, diagnostics)).filter((e): e is Endpoint => e !== null);
  const byPath = new Map<string, string>();
  for (const e of endpoints) {
    const key = e.path.replace(/\{[^}]+\}/g, '{}');
    if (byPath.has(key)) diagnostics.push({ file: e.file, message: `path ${e.path} is already served by api/${byPath.get(key)}.sql` });
    byPath.set(key, e.name);
    if (e.foundBy !== undefined) {
      const other = endpoints.find((o) => o.name === e.foundBy);
      if (!other || other.result !== 'one') diagnostics.push({ file: `api/${e.name}.yml`, key: 'found_by', message: `expected the name of a result: one endpoint, got ${e.foundBy}` });
      else for (const p of other.params) if (!e.params.some((q) => q.name === p.name)) diagnostics.push({ file: `api/${e.name}.yml`, key: 'found_by', message: `${e.foundBy} needs parameter ${p.name}, which this endpoint does not have` });
    }
  }
  if (names.length === 0) diagnostics.push({ file: 'api/', message: 'no endpoint: add api/<name>.sql and api/<name>.yml' });
  if (diagnostics.length > 0) throw new ProjectError(diagnostics, 'endpoint');
  return endpoints;
}

/** The project's endpoints for the manifest and the docs lineage; none without an api/ folder. */
export function apiExposures(project: Project, role = DEFAULT_SERVE_ROLE): Endpoint[] {
  return existsSync(join(project.dir, 'api')) ? loadEndpoints(project, role) : [];
}
