import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layoutGraph, placeInOrder, type GraphLayout, type LayoutNode } from './layout.ts';

/** Every node inside its band's rectangle, no two nodes overlapping, nothing outside the drawing. */
function assertWellFormed(layout: GraphLayout, nodes: readonly LayoutNode[]): void {
  const bandOf = new Map(layout.bands.map((b) => [b.name, b]));
  assert.equal(layout.nodes.length, new Set(nodes.map((n) => n.id)).size, 'every node placed once');
  for (const n of layout.nodes) {
    const band = bandOf.get(n.band)!;
    assert.ok(band, `band ${n.band} exists`);
    assert.ok(n.y >= band.y && n.y + n.height <= band.y + band.height, `${n.id} lies inside band ${n.band}`);
    assert.ok(n.x >= 0 && n.x + n.width <= layout.width, `${n.id} lies inside the drawing horizontally`);
    assert.ok(n.y >= 0 && n.y + n.height <= layout.height, `${n.id} lies inside the drawing vertically`);
  }
  for (let i = 0; i < layout.nodes.length; i++) {
    for (let j = i + 1; j < layout.nodes.length; j++) {
      const a = layout.nodes[i]!;
      const b = layout.nodes[j]!;
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      assert.ok(apart, `${a.id} and ${b.id} overlap`);
    }
  }
  for (let i = 1; i < layout.bands.length; i++) {
    const prev = layout.bands[i - 1]!;
    assert.ok(layout.bands[i]!.y >= prev.y + prev.height, 'bands do not overlap and keep their order');
  }
}

test('a small project: bands in the given order, every node in its band, no overlaps', () => {
  const nodes: LayoutNode[] = [
    { id: 'raw_orders', band: 'sources' },
    { id: 'raw_customers', band: 'sources' },
    { id: 'stg_orders', band: 'staging' },
    { id: 'stg_customers', band: 'staging' },
    { id: 'customers', band: 'marts' },
    { id: 'orders', band: 'marts' },
  ];
  const edges: [string, string][] = [
    ['raw_orders', 'stg_orders'],
    ['raw_customers', 'stg_customers'],
    ['stg_orders', 'orders'],
    ['stg_customers', 'customers'],
    ['stg_orders', 'customers'],
  ];
  const layout = layoutGraph({ nodes, edges, bands: ['sources', 'staging', 'marts'] });
  assert.deepEqual(
    layout.bands.map((b) => [b.name, b.count, b.lines]),
    [
      ['sources', 2, 1],
      ['staging', 2, 1],
      ['marts', 2, 1],
    ],
  );
  assertWellFormed(layout, nodes);
  assert.equal(layout.crossings, 0, 'barycentre ordering untangles a crossing-free graph');
  // Every edge points down the page.
  for (const [a, b] of layout.edges) assert.ok(layout.byId.get(a)!.y < layout.byId.get(b)!.y, `${a} above ${b}`);
});

test('dependencies inside a band go on successive rows of that band', () => {
  const nodes: LayoutNode[] = ['a', 'b', 'c', 'd'].map((id) => ({ id, band: 'gold' }));
  const layout = layoutGraph({ nodes, edges: [['a', 'b'], ['b', 'c'], ['a', 'c']], bands: ['gold'] });
  const y = (id: string): number => layout.byId.get(id)!.y;
  assert.ok(y('a') < y('b') && y('b') < y('c'));
  assert.equal(y('d'), y('a'), 'an independent node shares the first row');
  assert.equal(layout.bands[0]!.lines, 3);
  assertWellFormed(layout, nodes);
});

test('barycentre ordering removes avoidable crossings', () => {
  // Sources in one order, their children listed in the opposite order: a naive layout crosses every pair.
  const parents = ['p0', 'p1', 'p2', 'p3', 'p4'];
  const children = ['c4', 'c3', 'c2', 'c1', 'c0'];
  const nodes = [...parents.map((id) => ({ id, band: 'top' })), ...children.map((id) => ({ id, band: 'bottom' }))];
  const edges = parents.map((p, i): [string, string] => [p, `c${i}`]);
  const layout = layoutGraph({ nodes, edges, bands: ['top', 'bottom'] });
  assert.equal(layout.crossings, 0);
  for (let i = 0; i < 5; i++) assert.equal(layout.byId.get(`p${i}`)!.x, layout.byId.get(`c${i}`)!.x, 'a lone child sits under its parent');
});

test('unknown bands are appended, empty bands dropped, unknown edge ends ignored', () => {
  const nodes: LayoutNode[] = [
    { id: 'x', band: 'extra' },
    { id: 'y', band: 'silver' },
  ];
  const layout = layoutGraph({ nodes, edges: [['y', 'x'], ['ghost', 'x'], ['x', 'x']], bands: ['bronze', 'silver'] });
  assert.deepEqual(
    layout.bands.map((b) => b.name),
    ['silver', 'extra'],
  );
  assert.deepEqual(layout.edges, [['y', 'x']]);
  assertWellFormed(layout, nodes);
});

test('a cycle inside a band does not hang or lose nodes', () => {
  const nodes: LayoutNode[] = ['a', 'b', 'c'].map((id) => ({ id, band: 'l' }));
  const layout = layoutGraph({ nodes, edges: [['a', 'b'], ['b', 'a'], ['b', 'c']], bands: ['l'] });
  assertWellFormed(layout, nodes);
});

test('a few hundred models: wrapped lines, bounded width, still well formed', () => {
  let seed = 7;
  const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const nodes: LayoutNode[] = [];
  const edges: [string, string][] = [];
  const bands = ['sources', 'staging', 'intermediate', 'marts'];
  const sizes = [30, 100, 120, 80];
  const earlier: string[] = [];
  bands.forEach((band, b) => {
    const own: string[] = [];
    for (let i = 0; i < sizes[b]!; i++) {
      const id = `${band}_${i}`;
      nodes.push({ id, band });
      if (b > 0) {
        for (let k = 0; k < 1 + Math.floor(random() * 3); k++) {
          const pool = random() < 0.2 && own.length > 0 ? own : earlier;
          edges.push([pool[Math.floor(random() * pool.length)]!, id]);
        }
      }
      own.push(id);
    }
    earlier.push(...own);
  });
  const started = performance.now();
  const layout = layoutGraph({ nodes, edges, bands }, { maxPerRow: 12 });
  const ms = performance.now() - started;
  assertWellFormed(layout, nodes);
  assert.ok(ms < 5000, `layout of 330 nodes took ${ms.toFixed(0)} ms`);
  const lineLength = new Map<number, number>();
  for (const n of layout.nodes) lineLength.set(n.line, (lineLength.get(n.line) ?? 0) + 1);
  assert.ok(Math.max(...lineLength.values()) <= 12, 'rows wrap at maxPerRow');
  const { nodeWidth, gapX, gutter, margin } = { nodeWidth: 188, gapX: 20, gutter: 140, margin: 12 };
  assert.ok(layout.width <= 2 * margin + gutter + 12 * (nodeWidth + gapX), `width ${layout.width} stays within the widest line`);
});

test('the layout is deterministic', () => {
  const nodes: LayoutNode[] = ['a', 'b', 'c', 'd', 'e'].map((id, i) => ({ id, band: i < 2 ? 'one' : 'two' }));
  const edges: [string, string][] = [['a', 'd'], ['b', 'c'], ['a', 'e'], ['b', 'e']];
  const one = layoutGraph({ nodes, edges, bands: ['one', 'two'] });
  const two = layoutGraph({ nodes, edges, bands: ['one', 'two'] });
  assert.deepEqual(one.nodes, two.nodes);
});

test('placeInOrder keeps order and spacing, and is least squares', () => {
  assert.deepEqual(placeInOrder([0, 100, 200], 50), [0, 100, 200], 'free positions are kept');
  assert.deepEqual(placeInOrder([100, 100, 100], 50), [50, 100, 150], 'a pile spreads around its centre');
  assert.deepEqual(placeInOrder([300, 0], 100), [100, 200], 'inverted wishes meet in the middle, in order');
  assert.deepEqual(placeInOrder([-40, 500], 100, 0, 150), [0, 250], 'bounds clamp the ends');
  for (const [xs, step] of [
    [placeInOrder([5, 3, 9, 1, 1, 7], 10), 10],
    [placeInOrder([0, 0, 0, 0], 25, 0, 10), 25],
  ] as const) {
    for (let i = 1; i < xs.length; i++) assert.ok(xs[i]! - xs[i - 1]! >= step - 1e-9, `spacing ${xs.join(', ')}`);
  }
});
