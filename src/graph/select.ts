/**
 * dbt's node selection grammar, with dbt's meaning:
 *   `a b`         union (space, or repeated --select)
 *   `a,b`         intersection
 *   `+x` `x+`     x with all its ancestors / descendants; `2+x` `x+1` limit the generations
 *   `@x`          x, its descendants, and every ancestor of those (what a rebuild of x needs)
 *   methods       tag:, layer:, path:, source:, resource_type:, config.<key>:, state:, result:,
 *                 selector: (selectors.yml); a bare word is a name (`stg_*` a glob), a word with `/` a path.
 * The graph may hold more than the selectable nodes (seeds, sources): only selectable names are returned.
 */
import { didYouMean } from '../core/suggest.ts';
import type { Dag } from './dag.ts';

/** What selectors can see of a node. */
export interface SelectableNode {
  name: string;
  tags: readonly string[];
  layer: string;
  /** Project-relative path, e.g. `models/gold/fact_reviews.sql`. */
  path: string;
  /** `model` unless said otherwise. */
  resourceType?: string;
  /** The sources it reads directly. */
  sources?: readonly { source: string; table: string }[];
  /** Its config as dbt users name it: materialized, unique_key, tags, … */
  config?: Readonly<Record<string, unknown>>;
  /** Changes when its rendered SQL (so a macro or var it uses) changes. */
  checksum?: string;
}

/** An earlier manifest's view of a node, for `state:`. */
export interface StateNode {
  checksum?: string;
  config?: unknown;
}

export interface SelectorContext {
  /** `--state DIR`: the nodes of the manifest there. Without it `state:` is an error. */
  state?: ReadonlyMap<string, StateNode>;
  /** Status per node of the last run (target/run_results.json); a test's status counts for its model. */
  results?: ReadonlyMap<string, ReadonlySet<string>>;
  /** Definitions from selectors.yml, by name. */
  selectors?: Readonly<Record<string, unknown>>;
}

export class SelectorError extends Error {}

const METHODS = ['tag', 'layer', 'path', 'source', 'resource_type', 'config', 'state', 'result', 'selector', 'fqn'];
const STATE_VALUES = ['modified', 'new', 'unmodified', 'old', 'modified.body', 'modified.configs'];
const RESULT_VALUES = ['error', 'fail', 'skipped', 'success', 'warn', 'pass'];

function globToRegExp(glob: string, segment = '[^/]'): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += `${segment}*`;
    else if (c === '?') re += segment;
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const stable = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x));

/** Evaluates selection expressions over one project's nodes and graph. */
export class Selector {
  private readonly byName: Map<string, SelectableNode>;
  private readonly stack: string[] = [];

  constructor(
    private readonly nodes: readonly SelectableNode[],
    private readonly dag: Dag,
    private readonly context: SelectorContext = {},
  ) {
    this.byName = new Map(nodes.map((n) => [n.name, n]));
  }

  /** Names (of selectable nodes) matched by one method:value, before graph operators. */
  private base(selector: string, whole: string): Set<string> {
    const colon = selector.indexOf(':');
    const [method, value] = colon < 0 ? ['', selector] : [selector.slice(0, colon), selector.slice(colon + 1)];
    const key = method.startsWith('config.') ? method.slice('config.'.length) : undefined;
    const pick = (test: (n: SelectableNode) => boolean): Set<string> => new Set(this.nodes.filter(test).map((n) => n.name));
    if (key !== undefined) {
      if (!key) throw new SelectorError(`\`${whole}\`: write config.<key>:<value>, e.g. config.materialized:table`);
      return pick((n) => {
        const v = n.config?.[key];
        return Array.isArray(v) ? v.map(String).includes(value) : v !== undefined && v !== null && String(v) === value;
      });
    }
    switch (method) {
      case 'tag':
        return pick((n) => n.tags.includes(value));
      case 'layer':
        return pick((n) => n.layer === value);
      case 'path': {
        const prefix = value.endsWith('/') ? value : `${value}/`;
        const re = globToRegExp(value.replace(/\/$/, '/**'));
        return pick((n) => re.test(n.path) || n.path.startsWith(prefix));
      }
      case 'fqn':
      case '':
        if (value.includes('/')) return this.base(`path:${value}`, whole);
        if (/[*?]/.test(value)) {
          const re = globToRegExp(value, '.');
          return pick((n) => re.test(n.name));
        }
        return pick((n) => n.name === value);
      case 'resource_type':
        return pick((n) => (n.resourceType ?? 'model') === value);
      case 'source': {
        const [source, table] = value.split('.', 2) as [string, string | undefined];
        // dbt: the source itself, which is never built; its readers are its children (`source:x+`).
        return new Set(this.nodes.filter((n) => n.sources?.some((s) => s.source === source && (table === undefined || s.table === table))).map((n) => `\0source:${n.name}`));
      }
      case 'state':
        return this.state(value, whole);
      case 'result': {
        if (!RESULT_VALUES.includes(value)) throw new SelectorError(`\`${whole}\`: result: takes one of ${RESULT_VALUES.join(', ')}`);
        if (!this.context.results) throw new SelectorError(`\`${whole}\`: there is no earlier run (target/run_results.json) to read results from`);
        return pick((n) => this.context.results!.get(n.name)?.has(value) === true);
      }
      case 'selector':
        return this.named(value, whole);
      default:
        throw new SelectorError(`unknown selector method \`${method}:\` in \`${whole}\`${didYouMean(method, METHODS)} (methods: ${METHODS.join(', ')}, config.<key>)`);
    }
  }

  private state(value: string, whole: string): Set<string> {
    if (!STATE_VALUES.includes(value)) throw new SelectorError(`\`${whole}\`: state: takes one of ${STATE_VALUES.join(', ')}`);
    const previous = this.context.state;
    if (!previous) throw new SelectorError(`\`${whole}\` compares with an earlier manifest: pass --state DIR (a folder holding its manifest.json)`);
    const out = new Set<string>();
    for (const n of this.nodes) {
      const before = previous.get(n.name);
      const body = before !== undefined && before.checksum !== n.checksum;
      const configs = before !== undefined && stable(before.config) !== stable(n.config);
      const hit = {
        new: !before,
        old: !!before,
        modified: !before || body || configs,
        unmodified: !!before && !body && !configs,
        'modified.body': body,
        'modified.configs': configs,
      }[value];
      if (hit) out.add(n.name);
    }
    return out;
  }

  /** A definition from selectors.yml, in dbt's YAML shape. */
  private named(name: string, whole: string): Set<string> {
    const defs = this.context.selectors ?? {};
    if (!Object.hasOwn(defs, name)) {
      throw new SelectorError(`\`${whole}\`: no selector \`${name}\` in selectors.yml${didYouMean(name, Object.keys(defs))}`);
    }
    if (this.stack.includes(name)) throw new SelectorError(`selectors.yml: selector \`${name}\` refers to itself (${[...this.stack, name].join(' -> ')})`);
    this.stack.push(name);
    try {
      return this.definition((defs[name] as { definition?: unknown }).definition, `selector \`${name}\``);
    } finally {
      this.stack.pop();
    }
  }

  private definition(def: unknown, where: string): Set<string> {
    if (typeof def === 'string') return this.expression([def]);
    if (typeof def !== 'object' || def === null || Array.isArray(def)) {
      throw new SelectorError(`selectors.yml, ${where}: a definition is a string, a method (method/value) or union/intersection, got ${JSON.stringify(def)}`);
    }
    const d = def as Record<string, unknown>;
    const list = (key: string): unknown[] => {
      if (!Array.isArray(d[key])) throw new SelectorError(`selectors.yml, ${where}: \`${key}\` takes a list`);
      return d[key] as unknown[];
    };
    if ('union' in d || 'intersection' in d) {
      const key = 'union' in d ? 'union' : 'intersection';
      const items = list(key);
      const excludes = items.filter((i): i is { exclude: unknown } => typeof i === 'object' && i !== null && 'exclude' in i);
      const sets = items.filter((i) => !excludes.includes(i as { exclude: unknown })).map((i) => this.definition(i, where));
      let out = key === 'union' ? union(sets) : intersect(sets);
      for (const e of excludes) {
        if (!Array.isArray(e.exclude)) throw new SelectorError(`selectors.yml, ${where}: \`exclude\` takes a list`);
        const ex = union(e.exclude.map((i) => this.definition(i, where)));
        out = new Set([...out].filter((n) => !ex.has(n)));
      }
      return out;
    }
    const KEYS = ['method', 'value', 'parents', 'children', 'parents_depth', 'children_depth', 'childrens_parents', 'indirect_selection', 'description'];
    let method: string;
    let value: unknown;
    if ('method' in d) {
      method = String(d.method);
      value = d.value;
    } else {
      const keys = Object.keys(d);
      if (keys.length !== 1) throw new SelectorError(`selectors.yml, ${where}: write {method: tag, value: x} or {tag: x}`);
      method = keys[0]!;
      value = d[method];
    }
    for (const k of Object.keys(d)) {
      if ('method' in d && !KEYS.includes(k)) throw new SelectorError(`selectors.yml, ${where}: unknown key \`${k}\`${didYouMean(k, KEYS)}`);
    }
    const atom = `${d.childrens_parents ? '@' : ''}${d.parents ? `${d.parents_depth ?? ''}+` : ''}${method === 'fqn' ? '' : `${method}:`}${String(value)}${d.children ? `+${d.children_depth ?? ''}` : ''}`;
    return this.atom(atom);
  }

  /** One atom with its graph operators: `2+tag:x+`, `@name`. */
  private atom(atom: string): Set<string> {
    const m = /^(@)?(?:(\d*)\+)?(.+?)(?:\+(\d*))?$/.exec(atom);
    if (!m || (m[1] && (m[2] !== undefined || m[4] !== undefined))) throw new SelectorError(`\`${atom}\` is not a selector (write x, +x, x+, 2+x, x+1 or @x)`);
    const [, at, upDepth, core, downDepth] = m;
    const up = upDepth !== undefined;
    const down = downDepth !== undefined;
    const base = this.base(core!, atom);
    const isSource = core!.startsWith('source:');
    if (base.size === 0 && !/^(state|result|config\.[^:]*|resource_type|source):/.test(core!)) {
      throw new SelectorError(`\`${atom}\` matches nothing${core!.includes(':') ? '' : didYouMean(core!, this.byName.keys())}`);
    }
    const out = new Set<string>();
    const depth = (d: string | undefined): number => (d ? Number(d) : Infinity);
    for (const start of base) {
      if (isSource) {
        // A source's children are the models reading it directly.
        if (down || at) {
          const reader = start.slice('\0source:'.length);
          out.add(reader);
          for (const n of this.walk(reader, 'down', depth(downDepth) - 1)) out.add(n);
        }
        continue;
      }
      out.add(start);
      if (at) {
        const downstream = this.walk(start, 'down', Infinity);
        for (const d of downstream) {
          out.add(d);
          for (const u of this.walk(d, 'up', Infinity)) out.add(u);
        }
        for (const u of this.walk(start, 'up', Infinity)) out.add(u);
      }
      if (up) for (const n of this.walk(start, 'up', depth(upDepth))) out.add(n);
      if (down) for (const n of this.walk(start, 'down', depth(downDepth))) out.add(n);
    }
    if (isSource && !down && !at && base.size > 0) {
      throw new SelectorError(`\`${atom}\` selects the source itself, which is never built: write \`${atom}+\` for the models that read it`);
    }
    return out;
  }

  /** Ancestors or descendants within `limit` generations. */
  private walk(start: string, direction: 'up' | 'down', limit: number): Set<string> {
    const seen = new Set<string>();
    let frontier = [start];
    for (let generation = 0; generation < limit && frontier.length > 0; generation++) {
      const next: string[] = [];
      for (const n of frontier) {
        for (const m of direction === 'up' ? this.dag.parents(n) : this.dag.children(n)) {
          if (!seen.has(m)) {
            seen.add(m);
            next.push(m);
          }
        }
      }
      frontier = next;
    }
    return seen;
  }

  /** A list of selection strings: each is space-separated terms (union), each term comma-joined atoms (intersection). */
  expression(list: readonly string[]): Set<string> {
    const terms = list.flatMap((s) => s.trim().split(/\s+/)).filter(Boolean);
    return union(
      terms.map((term) => {
        const atoms = term.split(',');
        if (atoms.some((a) => a === '')) throw new SelectorError(`\`${term}\`: an empty item around a comma (a comma means "and": tag:a,layer:gold)`);
        return intersect(atoms.map((a) => this.atom(a)));
      }),
    );
  }

  /** Whether a list holds any selection at all. */
  static isEmpty(list: readonly string[] | undefined): boolean {
    return !list || list.every((s) => s.trim() === '');
  }
}

function union(sets: readonly Set<string>[]): Set<string> {
  const out = new Set<string>();
  for (const s of sets) for (const n of s) out.add(n);
  return out;
}

function intersect(sets: readonly Set<string>[]): Set<string> {
  if (sets.length === 0) return new Set();
  return new Set([...sets[0]!].filter((n) => sets.every((s) => s.has(n))));
}

export interface Selection {
  select?: readonly string[];
  exclude?: readonly string[];
  /** `--selector name`: a definition in selectors.yml. */
  selector?: string;
}

/**
 * The names chosen by `--select` (everything when empty) and `--selector`, minus `--exclude`.
 * Only names of `nodes` are returned even when the graph holds more (sources, seeds).
 */
export function selectNodes(
  nodes: readonly SelectableNode[],
  dag: Dag,
  select: readonly string[] = [],
  exclude: readonly string[] = [],
  context: SelectorContext = {},
  selector?: string,
): Set<string> {
  const s = new Selector(nodes, dag, context);
  const known = new Set(nodes.map((n) => n.name));
  let chosen: Set<string>;
  if (selector !== undefined) {
    chosen = s.expression([`selector:${selector}`]);
    if (!Selector.isEmpty(select)) chosen = intersect([chosen, s.expression(select)]);
  } else chosen = Selector.isEmpty(select) ? new Set(known) : s.expression(select);
  if (!Selector.isEmpty(exclude)) for (const n of s.expression(exclude)) chosen.delete(n);
  for (const n of chosen) if (!known.has(n)) chosen.delete(n);
  return chosen;
}
