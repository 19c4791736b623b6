import type { Diagnostic } from '../core/errors.ts';
import { nameProblem } from '../core/names.ts';
import { didYouMean } from '../core/suggest.ts';
import { RANGES, checkRange, type Range } from '../core/ranges.ts';
import type { YamlFile } from './yaml-file.ts';
import {
  MATERIALIZATIONS,
  type LayerConfig,
  type Materialization,
  type ProjectConfig,
  type RoleConfig,
  type SeedConfig,
  type SourceConfig,
} from './types.ts';

type Path = (string | number)[];
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads typed values out of parsed YAML, recording every mismatch instead of stopping at the first. */
class Reader {
  constructor(
    private readonly yaml: YamlFile,
    readonly diagnostics: Diagnostic[],
  ) {}

  problem(path: Path, message: string): void {
    this.diagnostics.push({ file: this.yaml.file, line: this.yaml.lineOf(path), key: path.join('.'), message });
  }

  at(path: Path): unknown {
    let v: unknown = this.yaml.value;
    for (const p of path) v = isObj(v) || Array.isArray(v) ? (v as Obj)[p as string] : undefined;
    return v;
  }

  string(path: Path, fallback?: string): string {
    const v = this.at(path);
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string' || v.trim() === '') {
      this.problem(path, `expected a non-empty string, got ${describe(v)}`);
      return fallback ?? '';
    }
    return v;
  }

  name(path: Path, fallback?: string): string {
    const v = this.string(path, fallback);
    // A fallback is the name of its parent, checked there.
    const problem = v && this.at(path) !== undefined ? nameProblem(v) : null;
    if (problem) this.problem(path, problem);
    return v;
  }

  number(path: Path, fallback: number, range: Range): number {
    const v = this.at(path);
    if (v === undefined) return fallback;
    const problem = checkRange(v, range);
    if (problem) {
      this.problem(path, `${problem}, got ${describe(v)}`);
      return fallback;
    }
    return v as number;
  }

  boolean(path: Path, fallback: boolean): boolean {
    const v = this.at(path);
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') {
      this.problem(path, `expected true or false, got ${describe(v)}`);
      return fallback;
    }
    return v;
  }

  names(path: Path): string[] {
    const v = this.at(path);
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.problem(path, `expected a list of names, got ${describe(v)}`);
      return [];
    }
    return v.map((_, i) => this.name([...path, i]));
  }

  object(path: Path): Obj {
    const v = this.at(path);
    if (v === undefined || v === null) return {};
    if (!isObj(v)) {
      this.problem(path, `expected a mapping, got ${describe(v)}`);
      return {};
    }
    return v;
  }

  oneOf<T extends string>(path: Path, allowed: readonly T[], fallback: T): T {
    const v = this.at(path);
    if (v === undefined) return fallback;
    if (!allowed.includes(v as T)) {
      this.problem(path, `expected one of ${allowed.join(', ')}, got ${describe(v)}`);
      return fallback;
    }
    return v as T;
  }

  unknownKeys(path: Path, known: readonly string[]): void {
    for (const key of Object.keys(this.object(path))) {
      if (!known.includes(key)) this.problem([...path, key], `unknown key${didYouMean(key, known)} (expected one of ${known.join(', ')})`);
    }
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (isObj(v)) return 'a mapping';
  return `${typeof v} ${typeof v === 'number' ? String(v) : JSON.stringify(v)}`;
}

const PERIODS: Record<string, number> = { minute: 60, hour: 3600, day: 86_400 };

/** dbt's `{ count: 12, period: hour }`, in seconds. */
function duration(r: Reader, path: Path): number | undefined {
  if (r.at(path) === undefined) return undefined;
  r.unknownKeys(path, ['count', 'period']);
  const count = r.number([...path, 'count'], 0, RANGES.count);
  const period = r.oneOf([...path, 'period'], Object.keys(PERIODS), 'hour');
  if (count <= 0) r.problem([...path, 'count'], 'expected a whole number above 0');
  return count * PERIODS[period]!;
}

/**
 * A source's tables: names, or dbt-style mappings with the table's contract (`columns:
 * { name: type }`) and freshness (`loaded_at_field`, `freshness: { warn_after, error_after }`).
 */
function sourceTables(r: Reader, path: Path): Required<Pick<SourceConfig, 'tables' | 'columns' | 'freshness'>> {
  const out: Required<Pick<SourceConfig, 'tables' | 'columns' | 'freshness'>> = { tables: [], columns: {}, freshness: {} };
  const list = r.at(path);
  if (list === undefined) return out;
  if (!Array.isArray(list)) {
    r.problem(path, `expected a list of tables, got ${describe(list)}`);
    return out;
  }
  list.forEach((item, i) => {
    const p = [...path, i];
    if (!isObj(item)) {
      out.tables.push(r.name(p));
      return;
    }
    r.unknownKeys(p, ['name', 'description', 'columns', 'loaded_at_field', 'freshness']);
    const table = r.name([...p, 'name']);
    out.tables.push(table);
    const cols = r.object([...p, 'columns']);
    if (Object.keys(cols).length > 0) {
      out.columns[table] = Object.keys(cols).map((c) => {
        const problem = nameProblem(c);
        if (problem) r.problem([...p, 'columns', c], `column ${problem}`);
        return { name: c, type: r.string([...p, 'columns', c]) };
      });
    }
    const field = r.at([...p, 'loaded_at_field']) !== undefined ? r.name([...p, 'loaded_at_field']) : undefined;
    const f = [...p, 'freshness'];
    r.unknownKeys(f, ['warn_after', 'error_after']);
    const warn = duration(r, [...f, 'warn_after']);
    const error = duration(r, [...f, 'error_after']);
    if ((warn !== undefined || error !== undefined) && !field) r.problem(f, 'freshness needs `loaded_at_field`: the column that says when a row was loaded');
    if (field) {
      out.freshness[table] = { loadedAtField: field, ...(warn !== undefined ? { warnAfterSeconds: warn } : {}), ...(error !== undefined ? { errorAfterSeconds: error } : {}) };
    }
  });
  return out;
}

const TOP_KEYS = ['name', 'version', 'layers', 'sources', 'seeds', 'vars', 'threads', 'keep_batches', 'lake', 'health', 'roles'];

export function parseProjectConfig(yaml: YamlFile, diagnostics: Diagnostic[]): ProjectConfig {
  const r = new Reader(yaml, diagnostics);
  if (!isObj(yaml.value)) {
    r.problem([], 'expected a mapping at the top of project.yaml');
  }
  r.unknownKeys([], TOP_KEYS);

  const layers: LayerConfig[] = Object.keys(r.object(['layers'])).map((name) => {
    const p = ['layers', name];
    r.unknownKeys(p, ['schema', 'materialized', 'export']);
    const problem = nameProblem(name);
    if (problem) r.problem(p, `layer ${problem}`);
    return {
      name,
      schema: r.name([...p, 'schema'], name),
      materialized: r.oneOf<Materialization>([...p, 'materialized'], MATERIALIZATIONS, 'view'),
      export: r.boolean([...p, 'export'], false),
    };
  });
  if (layers.length === 0) r.problem(['layers'], 'declare at least one layer (e.g. bronze, silver, gold)');

  const sources: SourceConfig[] = Object.keys(r.object(['sources'])).map((name) => {
    const p = ['sources', name];
    r.unknownKeys(p, ['schema', 'tables', 'description', 'sample']);
    const problem = nameProblem(name);
    if (problem) r.problem(p, `source ${problem}`);
    const sample = r.at([...p, 'sample']) !== undefined ? r.string([...p, 'sample']) : undefined;
    return { name, schema: r.name([...p, 'schema'], name), ...sourceTables(r, [...p, 'tables']), ...(sample ? { sample } : {}) };
  });
  // Sources are read-only: nothing strata loads may land in their schemas.
  const sourceSchemas = new Set(sources.map((s) => s.schema));

  const seedsObj = r.object(['seeds']);
  const seeds: Record<string, Partial<SeedConfig>> = {};
  for (const seed of Object.keys(seedsObj)) {
    if (seed === 'schema') continue;
    const p = ['seeds', seed];
    r.unknownKeys(p, ['schema', 'column_types', 'primary_key']);
    const types = r.object([...p, 'column_types']);
    const columnTypes: Record<string, string> = {};
    for (const col of Object.keys(types)) columnTypes[col] = r.string([...p, 'column_types', col]);
    const schema = r.at([...p, 'schema']) !== undefined ? r.name([...p, 'schema']) : undefined;
    if (schema && sourceSchemas.has(schema)) {
      r.problem([...p, 'schema'], `seed \`${seed}\` would be written into schema \`${schema}\` of a source, and sources are read-only; sample data for a source goes under its \`sample\` folder`);
    }
    seeds[seed] = {
      ...(schema ? { schema } : {}),
      columnTypes,
      primaryKey: r.names([...p, 'primary_key']),
    };
  }

  const layerNames = layers.map((l) => l.name);
  const roles: RoleConfig[] = Object.keys(r.object(['roles'])).map((name) => {
    const p = ['roles', name];
    r.unknownKeys(p, ['read', 'write', 'password_env']);
    const problem = nameProblem(name);
    if (problem) r.problem(p, `role ${problem}`);
    const checkLayers = (key: string): string[] =>
      r.names([...p, key]).filter((l, i) => {
        if (layerNames.includes(l)) return true;
        r.problem([...p, key, i], `unknown layer ${JSON.stringify(l)} (layers: ${layerNames.join(', ')})`);
        return false;
      });
    const passwordEnv = r.at([...p, 'password_env']) !== undefined ? r.name([...p, 'password_env']) : undefined;
    return { name, read: checkLayers('read'), write: checkLayers('write'), ...(passwordEnv ? { passwordEnv } : {}) };
  });

  r.unknownKeys(['lake'], ['path', 'layers', 'retention_days']);
  // The documents keep every layer per batch (data/<layer>/batch=<id>/): all layers by
  // default, or only those marked `export: true` when any is.
  const marked = layers.filter((l) => l.export).map((l) => l.name);
  const lakeLayers = r.at(['lake', 'layers']) === undefined ? (marked.length ? marked : layers.map((l) => l.name)) : r.names(['lake', 'layers']);
  for (const [i, l] of lakeLayers.entries()) {
    if (!layerNames.includes(l)) r.problem(['lake', 'layers', i], `unknown layer ${JSON.stringify(l)}`);
  }
  r.unknownKeys(['health'], ['gold_freshness_hours', 'pipeline_latency_seconds']);

  const seedSchema = r.name(['seeds', 'schema'], 'seeds');
  if (sourceSchemas.has(seedSchema)) r.problem(['seeds', 'schema'], `seeds cannot live in schema \`${seedSchema}\` of a source: sources are read-only`);
  for (const layer of layers) {
    if (sourceSchemas.has(layer.schema)) r.problem(['layers', layer.name], `layer \`${layer.name}\` would publish into schema \`${layer.schema}\` of a source: sources are read-only`);
  }

  const vars = r.object(['vars']);
  return {
    name: r.name(['name']),
    layers,
    sources,
    seedSchema,
    seeds,
    vars,
    threads: r.number(['threads'], 4, RANGES.threads),
    keepBatches: r.number(['keep_batches'], 3, RANGES.keepBatches),
    lake: {
      path: r.string(['lake', 'path'], 'data'),
      layers: lakeLayers,
      retentionDays: r.number(['lake', 'retention_days'], 90, RANGES.retentionDays),
    },
    health: {
      goldFreshnessHours: r.number(['health', 'gold_freshness_hours'], 24, RANGES.hours),
      pipelineLatencySeconds: r.number(['health', 'pipeline_latency_seconds'], 120, RANGES.seconds),
    },
    roles,
  };
}
