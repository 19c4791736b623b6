import type { Dag } from './dag.ts';

/** What selectors can see of a node. */
export interface SelectableNode {
  name: string;
  tags: readonly string[];
  layer: string;
  /** Project-relative path, e.g. `models/gold/fact_reviews.sql`. */
  path: string;
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function matchBase(selector: string, nodes: readonly SelectableNode[]): SelectableNode[] {
  const [method, value] = selector.includes(':') ? (selector.split(/:(.*)/s) as [string, string]) : ['', selector];
  switch (method) {
    case 'tag':
      return nodes.filter((n) => n.tags.includes(value));
    case 'layer':
      return nodes.filter((n) => n.layer === value);
    case 'path': {
      const re = globToRegExp(value.replace(/\/$/, '/**'));
      return nodes.filter((n) => re.test(n.path) || n.path.startsWith(value.endsWith('/') ? value : `${value}/`));
    }
    case '':
      if (/[*?/]/.test(value)) return matchBase(`path:${value}`, nodes);
      return nodes.filter((n) => n.name === value);
    default:
      throw new SelectorError(`unknown selector method \`${method}:\` in \`${selector}\` (use tag:, layer:, path: or a name)`);
  }
}

export class SelectorError extends Error {}

/** One selector with dbt's graph operators: `+name`, `name+`, `+tag:x+`. */
function selectOne(selector: string, nodes: readonly SelectableNode[], dag: Dag): Set<string> {
  const up = selector.startsWith('+');
  const down = selector.endsWith('+');
  const core = selector.slice(up ? 1 : 0, down ? -1 : undefined);
  const base = matchBase(core, nodes);
  if (base.length === 0) throw new SelectorError(`\`${selector}\` matches nothing`);
  const out = new Set<string>();
  for (const n of base) {
    out.add(n.name);
    if (up) for (const u of dag.upstream(n.name)) out.add(u);
    if (down) for (const d of dag.downstream(n.name)) out.add(d);
  }
  return out;
}

const split = (list: readonly string[]): string[] => list.flatMap((s) => s.split(/[\s,]+/)).filter(Boolean);

/**
 * The names chosen by `--select` (union; everything when empty) minus `--exclude`.
 * Only names of `nodes` are returned even when the graph holds more (sources, seeds).
 */
export function selectNodes(
  nodes: readonly SelectableNode[],
  dag: Dag,
  select: readonly string[] = [],
  exclude: readonly string[] = [],
): Set<string> {
  const known = new Set(nodes.map((n) => n.name));
  const chosen = new Set<string>();
  const selectors = split(select);
  if (selectors.length === 0) for (const n of known) chosen.add(n);
  for (const s of selectors) for (const n of selectOne(s, nodes, dag)) chosen.add(n);
  for (const s of split(exclude)) for (const n of selectOne(s, nodes, dag)) chosen.delete(n);
  for (const n of chosen) if (!known.has(n)) chosen.delete(n);
  return chosen;
}
