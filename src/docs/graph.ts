/**
 * The lineage graph of a manifest: models, seeds and the source tables models read, with
 * their edges; laid out by layout.ts and drawn as plain SVG at generation time.
 */
import { escapeHtml, formatInt } from './format.ts';
import { layoutGraph, type GraphLayout, type LayoutOptions, type PlacedNode } from './layout.ts';
import type { Manifest } from './types.ts';

/** The band holding seeds and source tables: always first. */
export const SOURCES_BAND = '__sources__';
/** What reads the published models from outside: yml `exposures:` and the endpoints of `serve`. Always last. */
export const EXPOSURES_BAND = '__exposures__';

export type LineageKind = 'model' | 'seed' | 'source' | 'exposure';

export interface LineageNode {
  id: string;
  kind: LineageKind;
  band: string;
  /** table, view, incremental, ephemeral; `seed` or `source` for the others. */
  materialized: string;
  relation: string | null;
}

export interface Lineage {
  nodes: LineageNode[];
  edges: [string, string][];
  /** Band keys in drawing order (SOURCES_BAND first, then manifest.layers). */
  bands: string[];
}

export const unquote = (relation: string): string => relation.replace(/"/g, '').toLowerCase();

/** Node id of a source table no seed provides. */
export const sourceNodeId = (source: string, table: string): string => `source:${source}.${table}`;

/** Nodes and edges of the manifest. A source table loaded by a seed is drawn as that seed. */
export function lineageOf(manifest: Manifest): Lineage {
  const nodes: LineageNode[] = [];
  const edges: [string, string][] = [];
  const entries = Object.entries(manifest.nodes ?? {});
  const seedByRelation = new Map<string, string>();
  for (const [name, n] of entries) {
    if (n.kind === 'model') continue;
    if (n.kind === 'exposure') {
      nodes.push({ id: name, kind: 'exposure', band: EXPOSURES_BAND, materialized: 'exposure', relation: n.relation ?? null });
      for (const ref of n.refs ?? []) edges.push([ref, name]);
      continue;
    }
    nodes.push({ id: name, kind: 'seed', band: SOURCES_BAND, materialized: 'seed', relation: n.relation ?? null });
    if (n.relation) seedByRelation.set(unquote(n.relation), name);
  }
  const sourceSchema = new Map((manifest.sources ?? []).map((s) => [s.name, s.schema]));
  const sourceNodes = new Map<string, LineageNode>();
  for (const [name, n] of entries) {
    if (n.kind !== 'model') continue;
    const materialized = n.config?.materialized ?? manifest.layers.find((l) => l.name === n.layer)?.materialized ?? 'table';
    nodes.push({ id: name, kind: 'model', band: n.layer ?? 'models', materialized, relation: n.relation ?? null });
    for (const ref of n.refs ?? []) edges.push([ref, name]);
    for (const s of n.sources ?? []) {
      const schema = sourceSchema.get(s.source) ?? s.source;
      const seed = seedByRelation.get(`${schema}.${s.table}`.toLowerCase());
      if (seed) {
        edges.push([seed, name]);
        continue;
      }
      const id = sourceNodeId(s.source, s.table);
      if (!sourceNodes.has(id)) {
        sourceNodes.set(id, { id, kind: 'source', band: SOURCES_BAND, materialized: 'source', relation: `${schema}.${s.table}` });
      }
      edges.push([id, name]);
    }
  }
  for (const e of manifest.edges ?? []) if (Array.isArray(e) && e.length === 2) edges.push([String(e[0]), String(e[1])]);
  for (const x of manifest.exposures ?? []) {
    const id = `exposure:${x.name}`;
    nodes.push({ id, kind: 'exposure', band: EXPOSURES_BAND, materialized: 'exposure', relation: x.type });
    for (const ref of x.refs) edges.push([ref, id]);
    for (const s of x.sources) edges.push([seedByRelation.get(`${sourceSchema.get(s.source) ?? s.source}.${s.table}`.toLowerCase()) ?? sourceNodeId(s.source, s.table), id]);
  }
  nodes.splice(nodes.filter((n) => n.kind === 'seed').length, 0, ...sourceNodes.values());
  const known = new Set(nodes.map((n) => n.id));
  const seen = new Set<string>();
  const unique = edges.filter(([a, b]) => {
    const key = `${a}\u0000${b}`;
    if (!known.has(a) || !known.has(b) || a === b || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const exposures = nodes.some((n) => n.kind === 'exposure') ? [EXPOSURES_BAND] : [];
  return { nodes, edges: unique, bands: [SOURCES_BAND, ...manifest.layers.map((l) => l.name), ...exposures] };
}

export function layoutLineage(lineage: Lineage, options: Partial<LayoutOptions> = {}): GraphLayout {
  // Very wide projects get longer lines rather than very tall bands.
  const biggestBand = Math.max(0, ...lineage.bands.map((b) => lineage.nodes.filter((n) => n.band === b).length));
  const maxPerRow = options.maxPerRow ?? (biggestBand > 120 ? 14 : biggestBand > 40 ? 12 : 10);
  return layoutGraph(lineage, { ...options, maxPerRow });
}

export const bandLabel = (band: string): string => (band === SOURCES_BAND ? 'sources & seeds' : band === EXPOSURES_BAND ? 'exposures' : band);

/** Materializations with their legend label, in legend order. */
export const MATERIALIZATION_LEGEND: readonly [string, string][] = [
  ['source', 'source table'],
  ['seed', 'seed'],
  ['view', 'view'],
  ['table', 'table'],
  ['incremental', 'incremental'],
  ['ephemeral', 'ephemeral (inlined)'],
  ['exposure', 'exposure (API endpoint, dashboard…)'],
];

export interface NodeRunInfo {
  status?: string;
  rows?: number | null;
}

/** Bands reach past the drawing so that they fill a view wider than the graph. */
const BAND_OVERHANG = 8000;

/** Roughly how many characters of 12px system-ui fit in `px`. */
const fits = (px: number, charPx: number): number => Math.max(4, Math.floor(px / charPx));

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

/** Where edge ends meet a node: spread along its bottom (outgoing) and top (incoming) edge. */
function ports(layout: GraphLayout): Map<string, { x: number; y: number }> {
  const at = new Map<string, { x: number; y: number }>();
  const spread = (node: PlacedNode, others: string[], side: 'top' | 'bottom', key: (o: string) => string): void => {
    const sorted = [...others].sort((a, b) => layout.byId.get(a)!.x - layout.byId.get(b)!.x);
    const gap = Math.min(14, (node.width * 0.6) / Math.max(1, sorted.length));
    sorted.forEach((o, k) => {
      at.set(key(o), {
        x: node.x + node.width / 2 + (k - (sorted.length - 1) / 2) * gap,
        y: side === 'bottom' ? node.y + node.height : node.y,
      });
    });
  };
  for (const node of layout.nodes) {
    const out = layout.edges.filter(([a]) => a === node.id).map(([, b]) => b);
    const down = out.filter((b) => layout.byId.get(b)!.y > node.y);
    const up = out.filter((b) => layout.byId.get(b)!.y <= node.y);
    spread(node, down, 'bottom', (b) => `out\u0000${node.id}\u0000${b}`);
    spread(node, up, 'top', (b) => `out\u0000${node.id}\u0000${b}`);
    const inc = layout.edges.filter(([, b]) => b === node.id).map(([a]) => a);
    const fromAbove = inc.filter((a) => layout.byId.get(a)!.y < node.y);
    const fromBelow = inc.filter((a) => layout.byId.get(a)!.y >= node.y);
    spread(node, fromAbove, 'top', (a) => `in\u0000${a}\u0000${node.id}`);
    spread(node, fromBelow, 'bottom', (a) => `in\u0000${a}\u0000${node.id}`);
  }
  return at;
}

function edgePath(from: { x: number; y: number }, to: { x: number; y: number }, downwards: boolean): string {
  const bend = Math.max(28, Math.abs(to.y - from.y) / 2);
  const c1 = downwards ? from.y + bend : from.y - bend;
  const c2 = downwards ? to.y - bend : to.y + bend;
  const r = (v: number): string => String(Math.round(v * 10) / 10);
  return `M${r(from.x)},${r(from.y)} C${r(from.x)},${r(c1)} ${r(to.x)},${r(c2)} ${r(to.x)},${r(to.y)}`;
}

/** The lineage graph as an inline SVG element: bands, edges, clickable nodes. */
export function renderLineageSvg(lineage: Lineage, layout: GraphLayout, run: Map<string, NodeRunInfo> = new Map()): string {
  const byId = new Map(lineage.nodes.map((n) => [n.id, n]));
  const out: string[] = [];
  out.push(
    `<svg id="lineage-graph" class="lineage${layout.edges.length > 150 ? ' dense' : ''}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${layout.width} ${layout.height}" ` +
      `width="${layout.width}" height="${layout.height}" data-width="${layout.width}" data-height="${layout.height}" ` +
      `role="img" aria-label="Lineage graph: ${lineage.nodes.length} nodes, ${layout.edges.length} edges">`,
  );
  out.push(
    '<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">' +
      '<path d="M0,0 L8,4 L0,8 z" class="arrowhead"/></marker>' +
      '<marker id="arrow-hl" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">' +
      '<path d="M0,0 L8,4 L0,8 z" class="arrowhead-hl"/></marker></defs>',
  );

  out.push('<g class="bands">');
  layout.bands.forEach((band, i) => {
    const members = lineage.nodes.filter((n) => n.band === band.name);
    const sources = members.filter((n) => n.kind === 'source').length;
    const seeds = members.filter((n) => n.kind === 'seed').length;
    const count =
      band.name === SOURCES_BAND
        ? [sources > 0 ? plural(sources, 'source') : '', seeds > 0 ? plural(seeds, 'seed') : ''].filter(Boolean).join(' · ')
        : plural(band.count, band.name === EXPOSURES_BAND ? 'exposure' : 'model');
    out.push(
      `<g class="band band-${i % 2 ? 'odd' : 'even'}" data-band="${escapeHtml(band.name)}">` +
        `<rect x="0" y="${band.y}" width="${layout.width + BAND_OVERHANG}" height="${band.height}" class="band-bg"/>` +
        `<rect x="0" y="${band.y}" width="4" height="${band.height}" class="band-accent"/>` +
        `<text x="18" y="${band.y + 26}" class="band-label">${escapeHtml(truncate((band.name === SOURCES_BAND ? 'sources' : bandLabel(band.name)).toUpperCase(), 12))}</text>` +
        `<title>${escapeHtml(bandLabel(band.name))}</title>` +
        `<text x="18" y="${band.y + 43}" class="band-count">${escapeHtml(count)}</text></g>`,
    );
  });
  out.push('</g>');

  const at = ports(layout);
  out.push('<g class="edges">');
  for (const [a, b] of layout.edges) {
    const from = at.get(`out\u0000${a}\u0000${b}`)!;
    const to = at.get(`in\u0000${a}\u0000${b}`)!;
    const downwards = layout.byId.get(b)!.y > layout.byId.get(a)!.y;
    out.push(
      `<path class="edge" d="${edgePath(from, to, downwards)}" data-from="${escapeHtml(a)}" data-to="${escapeHtml(b)}" marker-end="url(#arrow)"/>`,
    );
  }
  out.push('</g>');

  out.push('<g class="nodes">');
  for (const placed of layout.nodes) {
    const node = byId.get(placed.id)!;
    const info = run.get(node.id);
    const name = node.kind === 'source' ? node.relation ?? node.id : node.id;
    const sub =
      node.kind === 'model'
        ? [node.materialized, info?.rows !== undefined && info.rows !== null ? `${formatInt(info.rows)} rows` : ''].filter(Boolean).join(' · ')
        : node.kind;
    const modelAttr = node.kind === 'model' ? ` data-model="${escapeHtml(node.id)}"` : '';
    const status = info?.status ? ` status-${escapeHtml(info.status)}` : '';
    out.push(
      `<g id="node-${escapeHtml(node.id)}" class="node kind-${node.kind} mat-${escapeHtml(node.materialized)}${status}" ` +
        `data-node="${escapeHtml(node.id)}"${modelAttr} data-kind="${node.kind}" tabindex="0" role="button" ` +
        `aria-label="${escapeHtml(`${node.kind} ${name}`)}" transform="translate(${placed.x},${placed.y})">` +
        `<title>${escapeHtml(name)}${node.relation ? ` (${escapeHtml(node.relation)})` : ''}</title>` +
        `<rect class="node-box" width="${placed.width}" height="${placed.height}" rx="7"/>` +
        `<rect class="node-stripe" width="5" height="${placed.height}" rx="2"/>` +
        `<text class="node-label" x="14" y="18" data-full="${escapeHtml(name)}">${escapeHtml(truncate(name, fits(placed.width - 34, 7.4)))}</text>` +
        `<text class="node-sub" x="14" y="33" data-full="${escapeHtml(sub)}">${escapeHtml(truncate(sub, fits(placed.width - 20, 6.1)))}</text>` +
        (info?.status ? `<circle class="node-status" cx="${placed.width - 10}" cy="13" r="3.5"><title>${escapeHtml(info.status)}</title></circle>` : '') +
        '</g>',
    );
  }
  out.push('</g></svg>');
  return out.join('\n');
}
