/**
 * A layered ("Sugiyama-lite") layout for the lineage graph, computed at generation time:
 *
 *  1. every node belongs to a horizontal band (sources and seeds, then the project layers
 *     in project.yaml order); bands are stacked top to bottom;
 *  2. inside a band, nodes that depend on each other go on successive rows (longest path
 *     over the band's own edges), so every edge inside a band points downwards;
 *  3. rows are ordered by barycentre sweeps (down and up, keeping the ordering with the
 *     fewest crossings) to untangle edges;
 *  4. long rows wrap onto several lines so a band of a hundred models stays readable;
 *  5. x positions pull each node towards its neighbours while keeping order and spacing
 *     (an exact least-squares placement per line, by pool-adjacent-violators).
 *
 * Pure: nodes + edges + bands in, positions out. No DOM, no I/O.
 */

export interface LayoutNode {
  id: string;
  /** The band (layer) the node belongs to. */
  band: string;
}

export interface LayoutOptions {
  nodeWidth: number;
  nodeHeight: number;
  /** Horizontal space between two nodes of a line. */
  gapX: number;
  /** Vertical space between two lines of a band. */
  gapY: number;
  /** Space above the first and below the last line of a band. */
  bandPadding: number;
  /** Space between two bands. */
  bandGap: number;
  /** Width kept free on the left of every band for its label. */
  gutter: number;
  /** Outer margin of the drawing. */
  margin: number;
  /** Longest line before a row wraps. */
  maxPerRow: number;
  /** Barycentre sweeps (each a down and an up pass). */
  sweeps: number;
}

export const DEFAULT_LAYOUT_OPTIONS: LayoutOptions = {
  nodeWidth: 188,
  nodeHeight: 42,
  gapX: 20,
  gapY: 22,
  bandPadding: 18,
  bandGap: 8,
  gutter: 140,
  margin: 12,
  maxPerRow: 10,
  sweeps: 6,
};

export interface PlacedNode {
  id: string;
  band: string;
  /** Top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Global line index (0 = top line of the first band). */
  line: number;
}

export interface PlacedBand {
  name: string;
  /** Top edge and height of the band's rectangle (the full drawing width). */
  y: number;
  height: number;
  lines: number;
  count: number;
}

export interface GraphLayout {
  nodes: PlacedNode[];
  byId: Map<string, PlacedNode>;
  bands: PlacedBand[];
  /** Edges between known nodes, without duplicates or self-loops. */
  edges: [string, string][];
  width: number;
  height: number;
  /** Edge crossings between consecutive-row pairs after ordering (for tests and tuning). */
  crossings: number;
}

/** Lays out a layered graph. Bands not listed in `bands` are appended in first-seen order; empty bands are dropped. */
export function layoutGraph(
  input: { nodes: readonly LayoutNode[]; edges: readonly (readonly [string, string])[]; bands: readonly string[] },
  options: Partial<LayoutOptions> = {},
): GraphLayout {
  const o: LayoutOptions = { ...DEFAULT_LAYOUT_OPTIONS, ...options };
  o.maxPerRow = Math.max(1, Math.floor(o.maxPerRow));

  // Nodes, deduplicated, in input order.
  const nodeBand = new Map<string, string>();
  for (const n of input.nodes) if (!nodeBand.has(n.id)) nodeBand.set(n.id, n.band);
  const ids = [...nodeBand.keys()];

  // Bands in order, then the unlisted ones; only those holding nodes.
  const bandOrder: string[] = [];
  for (const b of [...input.bands, ...ids.map((id) => nodeBand.get(id)!)]) if (!bandOrder.includes(b)) bandOrder.push(b);
  const bandNames = bandOrder.filter((b) => ids.some((id) => nodeBand.get(id) === b));
  const bandIndex = new Map(bandNames.map((b, i) => [b, i]));

  // Edges between known nodes.
  const seen = new Set<string>();
  const edges: [string, string][] = [];
  for (const [from, to] of input.edges) {
    const key = `${from}\u0000${to}`;
    if (from === to || seen.has(key) || !nodeBand.has(from) || !nodeBand.has(to)) continue;
    seen.add(key);
    edges.push([from, to]);
  }
  const preds = new Map<string, string[]>(ids.map((id) => [id, []]));
  const succs = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const [from, to] of edges) {
    succs.get(from)!.push(to);
    preds.get(to)!.push(from);
  }

  // 2. Rank inside each band: longest path over the band's own edges (cycles: rank 0).
  const rank = new Map<string, number>();
  for (const band of bandNames) {
    const members = ids.filter((id) => nodeBand.get(id) === band);
    const inBand = (id: string): boolean => nodeBand.get(id) === band;
    const indegree = new Map(members.map((id) => [id, preds.get(id)!.filter(inBand).length]));
    const queue = members.filter((id) => indegree.get(id) === 0);
    for (const id of members) rank.set(id, 0);
    for (let i = 0; i < queue.length; i++) {
      const id = queue[i]!;
      for (const next of succs.get(id)!) {
        if (!inBand(next)) continue;
        rank.set(next, Math.max(rank.get(next)!, rank.get(id)! + 1));
        const d = indegree.get(next)! - 1;
        indegree.set(next, d);
        if (d === 0) queue.push(next);
      }
    }
  }

  // Rows: (band, rank) in order; each row a list of ids in input order.
  const rows: string[][] = [];
  const rowBand: number[] = [];
  for (const band of bandNames) {
    const members = ids.filter((id) => nodeBand.get(id) === band);
    const depth = Math.max(...members.map((id) => rank.get(id)!)) + 1;
    for (let r = 0; r < depth; r++) {
      const row = members.filter((id) => rank.get(id) === r);
      if (row.length > 0) {
        rows.push(row);
        rowBand.push(bandIndex.get(band)!);
      }
    }
  }

  // 3. Barycentre ordering.
  const rowOf = new Map<string, number>();
  rows.forEach((row, r) => row.forEach((id) => rowOf.set(id, r)));
  const pos = new Map<string, number>();
  const updatePositions = (r: number): void => rows[r]!.forEach((id, i) => pos.set(id, (i + 0.5) / rows[r]!.length));
  rows.forEach((_, r) => updatePositions(r));

  const reorder = (r: number, neighbours: (id: string) => string[]): void => {
    const row = rows[r]!;
    const keyed = row.map((id, i) => {
      const ns = neighbours(id);
      const bary = ns.length > 0 ? ns.reduce((s, n) => s + pos.get(n)!, 0) / ns.length : pos.get(id)!;
      return { id, bary, i };
    });
    keyed.sort((a, b) => a.bary - b.bary || a.i - b.i);
    rows[r] = keyed.map((k) => k.id);
    updatePositions(r);
  };
  const countCrossings = (): number => {
    // Edges grouped by (upper row, lower row); two edges of a group cross when their ends swap order.
    const groups = new Map<string, [number, number][]>();
    for (const [from, to] of edges) {
      let a = from;
      let b = to;
      if (rowOf.get(a)! > rowOf.get(b)!) [a, b] = [b, a];
      if (rowOf.get(a) === rowOf.get(b)) continue;
      const key = `${rowOf.get(a)}:${rowOf.get(b)}`;
      const list = groups.get(key) ?? [];
      list.push([pos.get(a)!, pos.get(b)!]);
      groups.set(key, list);
    }
    let crossings = 0;
    for (const list of groups.values()) {
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
          const [a1, b1] = list[i]!;
          const [a2, b2] = list[j]!;
          if ((a1 - a2) * (b1 - b2) < 0) crossings++;
        }
      }
    }
    return crossings;
  };

  let best = rows.map((row) => [...row]);
  let bestCrossings = countCrossings();
  for (let s = 0; s < o.sweeps && bestCrossings > 0; s++) {
    for (let r = 1; r < rows.length; r++) reorder(r, (id) => preds.get(id)!.filter((p) => rowOf.get(p)! < r));
    for (let r = rows.length - 2; r >= 0; r--) reorder(r, (id) => succs.get(id)!.filter((c) => rowOf.get(c)! > r));
    const c = countCrossings();
    if (c < bestCrossings) {
      bestCrossings = c;
      best = rows.map((row) => [...row]);
    }
  }
  best.forEach((row, r) => (rows[r] = row));
  rows.forEach((_, r) => updatePositions(r));
  const crossings = countCrossings();

  // 4. Wrap long rows onto balanced lines.
  const lines: string[][] = [];
  const lineBand: number[] = [];
  rows.forEach((row, r) => {
    const count = Math.ceil(row.length / o.maxPerRow);
    const size = Math.ceil(row.length / count);
    for (let k = 0; k < count; k++) {
      lines.push(row.slice(k * size, (k + 1) * size));
      lineBand.push(rowBand[r]!);
    }
  });
  const lineOf = new Map<string, number>();
  lines.forEach((line, l) => line.forEach((id) => lineOf.set(id, l)));

  // 5. x placement: centred lines, then neighbours pull nodes while order and spacing hold.
  const step = o.nodeWidth + o.gapX;
  const widest = Math.max(1, ...lines.map((l) => l.length));
  const x = new Map<string, number>();
  for (const line of lines) {
    const start = ((widest - line.length) * step) / 2;
    line.forEach((id, i) => x.set(id, start + i * step));
  }
  const pull = (l: number, neighbours: (id: string) => string[]): void => {
    const line = lines[l]!;
    const desired = line.map((id) => {
      const ns = neighbours(id);
      return ns.length > 0 ? ns.reduce((s, n) => s + x.get(n)!, 0) / ns.length : x.get(id)!;
    });
    placeInOrder(desired, step, 0, (widest - line.length) * step).forEach((v, i) => x.set(line[i]!, v));
  };
  const above = (l: number) => (id: string) => [...preds.get(id)!, ...succs.get(id)!].filter((n) => lineOf.get(n)! < l);
  const below = (l: number) => (id: string) => [...preds.get(id)!, ...succs.get(id)!].filter((n) => lineOf.get(n)! > l);
  const both = (l: number) => (id: string) => [...preds.get(id)!, ...succs.get(id)!].filter((n) => lineOf.get(n)! !== l);
  for (let pass = 0; pass < 2; pass++) {
    for (let l = 1; l < lines.length; l++) pull(l, above(l));
    for (let l = lines.length - 2; l >= 0; l--) pull(l, below(l));
  }
  for (let l = 0; l < lines.length; l++) pull(l, both(l));
  const minX = x.size > 0 ? Math.min(...x.values()) : 0;
  const left = o.margin + o.gutter;

  // y: bands stacked, lines inside.
  const bands: PlacedBand[] = [];
  const lineY: number[] = [];
  let y = o.margin;
  bandNames.forEach((name, b) => {
    const own = lines.map((_, l) => l).filter((l) => lineBand[l] === b);
    const top = y;
    own.forEach((l, k) => (lineY[l] = top + o.bandPadding + k * (o.nodeHeight + o.gapY)));
    const height = o.bandPadding * 2 + own.length * o.nodeHeight + Math.max(0, own.length - 1) * o.gapY;
    bands.push({ name, y: top, height, lines: own.length, count: own.reduce((s, l) => s + lines[l]!.length, 0) });
    y += height + o.bandGap;
  });

  const nodes: PlacedNode[] = ids.map((id) => ({
    id,
    band: nodeBand.get(id)!,
    x: Math.round(left + x.get(id)! - minX),
    y: lineY[lineOf.get(id)!]!,
    width: o.nodeWidth,
    height: o.nodeHeight,
    line: lineOf.get(id)!,
  }));
  const width = Math.max(left + o.nodeWidth + o.margin, ...nodes.map((n) => n.x + n.width + o.margin));
  const height = bands.length > 0 ? y - o.bandGap + o.margin : 2 * o.margin;
  return { nodes, byId: new Map(nodes.map((n) => [n.id, n])), bands, edges, width, height, crossings };
}

/**
 * Positions for one line: as close as possible (least squares) to `desired`, keeping the
 * given order, at least `step` apart, and (when bounds are given) the first node at or
 * after `min` and the last at or before `max + (n - 1) * step`. With y_i = x_i - i*step
 * the spacing constraint becomes "y non-decreasing" and the bounds become min <= y <= max:
 * an isotonic regression, solved exactly by pool-adjacent-violators, then clamped (which
 * is exact for bounds shared by every y).
 */
export function placeInOrder(desired: readonly number[], step: number, min = -Infinity, max = Infinity): number[] {
  const blocks: { sum: number; count: number }[] = [];
  desired.forEach((d, i) => {
    blocks.push({ sum: d - i * step, count: 1 });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1]!;
      const prev = blocks[blocks.length - 2]!;
      if (prev.sum / prev.count <= last.sum / last.count) break;
      prev.sum += last.sum;
      prev.count += last.count;
      blocks.pop();
    }
  });
  const out: number[] = [];
  for (const b of blocks) {
    const y = Math.min(Math.max(b.sum / b.count, min), Math.max(min, max));
    for (let k = 0; k < b.count; k++) out.push(y + out.length * step);
  }
  return out;
}
