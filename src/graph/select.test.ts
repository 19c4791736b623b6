import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Dag } from './dag.ts';
import { selectNodes, SelectorError, type SelectableNode, type SelectorContext } from './select.ts';

/**
 * The jaffle_shop graph dbt's docs use: three staging models on sources, two marts, a
 * report on a mart, and a model nobody reads.
 */
const node = (name: string, layer: string, tags: string[], materialized: string, sources: string[] = [], checksum = name): SelectableNode => ({
  name,
  layer,
  tags,
  path: `models/${layer}/${name}.sql`,
  sources: sources.map((t) => ({ source: 'jaffle', table: t })),
  config: { materialized, tags },
  checksum,
});
const NODES: SelectableNode[] = [
  node('stg_customers', 'staging', ['staging'], 'view', ['raw_customers']),
  node('stg_orders', 'staging', ['staging'], 'view', ['raw_orders']),
  node('stg_payments', 'staging', ['staging', 'finance'], 'view', ['raw_payments']),
  node('customers', 'marts', ['marts'], 'table'),
  node('orders', 'marts', ['marts', 'finance'], 'table'),
  node('customer_report', 'marts', ['report'], 'view'),
  node('lonely', 'marts', [], 'ephemeral'),
];
const EDGES: [string, string][] = [
  ['raw_seed', 'stg_customers'],
  ['stg_customers', 'customers'], ['stg_orders', 'customers'], ['stg_payments', 'customers'],
  ['stg_orders', 'orders'], ['stg_payments', 'orders'],
  ['customers', 'customer_report'],
];
const dagOf = (edges: readonly [string, string][], nodes: readonly string[] = []): Dag => {
  const d = new Dag();
  for (const n of nodes) d.addNode(n);
  for (const [a, b] of edges) d.addEdge(a, b);
  return d;
};
const DAG = dagOf(EDGES, NODES.map((n) => n.name));

const sel = (select: string[], exclude: string[] = [], context: SelectorContext = {}, selector?: string): string[] =>
  [...selectNodes(NODES, DAG, select, exclude, context, selector)].sort();

describe('selector matrix, as dbt documents it', () => {
  const cases: [string, string[]][] = [
    ['customers', ['customers']],
    ['+customers', ['customers', 'stg_customers', 'stg_orders', 'stg_payments']],
    ['stg_orders+', ['customer_report', 'customers', 'orders', 'stg_orders']],
    ['1+customer_report', ['customer_report', 'customers']],
    ['stg_orders+1', ['customers', 'orders', 'stg_orders']],
    ['@stg_customers', ['customer_report', 'customers', 'stg_customers', 'stg_orders', 'stg_payments']],
    ['tag:finance', ['orders', 'stg_payments']],
    ['tag:staging,tag:finance', ['stg_payments']],
    ['tag:staging tag:finance', ['orders', 'stg_customers', 'stg_orders', 'stg_payments']],
    ['tag:marts,config.materialized:table', ['customers', 'orders']],
    ['+customer_report,tag:staging', ['stg_customers', 'stg_orders', 'stg_payments']],
    ['layer:marts', ['customer_report', 'customers', 'lonely', 'orders']],
    ['path:models/marts', ['customer_report', 'customers', 'lonely', 'orders']],
    ['models/staging/stg_o*', ['stg_orders']],
    ['stg_*', ['stg_customers', 'stg_orders', 'stg_payments']],
    ['source:jaffle+', ['customer_report', 'customers', 'orders', 'stg_customers', 'stg_orders', 'stg_payments']],
    ['source:jaffle.raw_payments+1', ['stg_payments']],
    ['resource_type:model,config.materialized:ephemeral', ['lonely']],
    ['config.tags:report', ['customer_report']],
    ['config.materialized:incremental', []],
  ];
  for (const [selector, want] of cases) {
    test(selector, () => assert.deepEqual(sel([selector]), want));
  }

  test('repeated --select flags union; --exclude removes', () => {
    assert.deepEqual(sel(['tag:report', 'lonely']), ['customer_report', 'lonely']);
    assert.deepEqual(sel(['stg_orders+'], ['customer_report customers']), ['orders', 'stg_orders']);
    assert.deepEqual(sel([], ['layer:staging']), ['customer_report', 'customers', 'lonely', 'orders']);
  });

  test('rejections name the selector and what is valid', () => {
    assert.throws(() => sel(['custmers']), /`custmers` matches nothing \(did you mean `customers`\?\)/);
    assert.throws(() => sel(['tga:marts']), /unknown selector method `tga:` in `tga:marts` \(did you mean `tag`\?\)/);
    assert.throws(() => sel(['tag:a,,tag:b']), /an empty item around a comma/);
    assert.throws(() => sel(['@+customers']), /is not a selector/);
    assert.throws(() => sel(['source:jaffle']), /selects the source itself, which is never built: write `source:jaffle\+`/);
    assert.throws(() => sel(['state:modified']), /pass --state DIR/);
    assert.throws(() => sel(['state:changed'], [], { state: new Map() }), /state: takes one of modified, new/);
    assert.throws(() => sel(['result:error']), /no earlier run/);
    assert.throws(() => sel(['result:broken'], [], { results: new Map() }), /result: takes one of/);
    assert.throws(() => sel(['config.:x']), /write config.<key>:<value>/);
    assert.throws(() => sel(['selector:nope'], [], { selectors: { nightly: {} } }), /no selector `nope` in selectors.yml/);
    for (const bad of ['x', 'tag:y']) assert.throws(() => sel([bad]), SelectorError);
  });
});

describe('state and result', () => {
  const previous = new Map(NODES.map((n) => [n.name, { checksum: n.checksum, config: n.config }]));
  test('state:modified finds changed SQL, changed config and new nodes; state:new only new ones', () => {
    const state = new Map(previous);
    state.set('orders', { checksum: 'old sql', config: previous.get('orders')!.config });
    state.set('customers', { checksum: 'customers', config: { materialized: 'view', tags: ['marts'] } });
    state.delete('lonely');
    assert.deepEqual(sel(['state:modified'], [], { state }), ['customers', 'lonely', 'orders']);
    assert.deepEqual(sel(['state:modified.body'], [], { state }), ['orders']);
    assert.deepEqual(sel(['state:modified.configs'], [], { state }), ['customers']);
    assert.deepEqual(sel(['state:new'], [], { state }), ['lonely']);
    assert.deepEqual(sel(['state:modified+'], [], { state }), ['customer_report', 'customers', 'lonely', 'orders']);
    assert.deepEqual(sel(['state:modified'], [], { state: previous }), []);
  });

  test('result:error and result:fail read the last run', () => {
    const results = new Map([['orders', new Set(['error'])], ['customers', new Set(['success', 'fail'])]]);
    assert.deepEqual(sel(['result:error+'], [], { results }), ['orders']);
    assert.deepEqual(sel(['result:fail+'], [], { results }), ['customer_report', 'customers']);
  });
});

describe('selectors.yml definitions', () => {
  const selectors = {
    nightly: { definition: { union: [{ method: 'tag', value: 'finance', children: true }, 'lonely', { exclude: ['customer_report'] }] } },
    marts_tables: { definition: { intersection: ['layer:marts', { 'config.materialized': 'table' }] } },
    up: { definition: { method: 'fqn', value: 'customer_report', parents: true, parents_depth: 1 } },
    both: { definition: { union: [{ method: 'selector', value: 'marts_tables' }, 'tag:report'] } },
    loop: { definition: { method: 'selector', value: 'loop' } },
    typo: { definition: { method: 'tag', valeu: 'x' } },
  };
  test('union, intersection, exclude, graph keys and nesting', () => {
    assert.deepEqual(sel([], [], { selectors }, 'nightly'), ['customers', 'lonely', 'orders', 'stg_payments']);
    assert.deepEqual(sel([], [], { selectors }, 'marts_tables'), ['customers', 'orders']);
    assert.deepEqual(sel([], [], { selectors }, 'up'), ['customer_report', 'customers']);
    assert.deepEqual(sel([], [], { selectors }, 'both'), ['customer_report', 'customers', 'orders']);
    assert.deepEqual(sel(['selector:both,tag:finance'], [], { selectors }), ['orders']);
  });
  test('a cycle or an unknown key is an error', () => {
    assert.throws(() => sel([], [], { selectors }, 'loop'), /refers to itself \(loop -> loop\)/);
    assert.throws(() => sel([], [], { selectors }, 'typo'), /unknown key `valeu` \(did you mean `value`\?\)/);
  });
});

/** A random graph: edges only from lower to higher index, so it is acyclic. */
const graphs = fc
  .integer({ min: 1, max: 9 })
  .chain((n) =>
    fc.record({
      n: fc.constant(n),
      tags: fc.array(fc.subarray(['a', 'b', 'c']), { minLength: n, maxLength: n }),
      edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 2 }).map((es) => es.filter(([x, y]) => x < y)),
    }),
  );

/** Ancestors by brute force: the reference the selector is checked against. */
function closure(edges: readonly [number, number][], start: number, up: boolean, limit = Infinity): Set<number> {
  let seen = new Set<number>();
  let frontier = new Set([start]);
  for (let g = 0; g < limit && frontier.size > 0; g++) {
    const next = new Set<number>();
    for (const [a, b] of edges) {
      const [from, to] = up ? [b, a] : [a, b];
      if (frontier.has(from) && !seen.has(to)) next.add(to);
    }
    seen = new Set([...seen, ...next]);
    frontier = next;
  }
  return seen;
}

describe('properties that hold for every graph and selector', () => {
  const atoms = (n: number, tags: string[][]) =>
    fc.oneof(
      fc.nat(n - 1).map((i) => `m${i}`),
      fc.constantFrom(...new Set(tags.flat().map((t) => `tag:${t}`).concat(['m0']))),
      fc.tuple(fc.constantFrom('+', '', '1+', '2+', '@'), fc.nat(n - 1), fc.constantFrom('', '+', '+1')).filter(([p, , s]) => !(p === '@' && s)).map(([p, i, s]) => `${p}m${i}${s}`),
    );
  test('comma is intersection, space is union, exclude removes exactly its selection, and graph operators match a brute-force walk', () => {
    fc.assert(
      fc.property(
        graphs.chain((g) => fc.record({ g: fc.constant(g), a: atoms(g.n, g.tags), b: atoms(g.n, g.tags), i: fc.nat(g.n - 1), depth: fc.integer({ min: 1, max: 3 }) })),
        ({ g, a, b, i, depth }) => {
          const nodes = Array.from({ length: g.n }, (_, k): SelectableNode => ({ name: `m${k}`, tags: g.tags[k]!, layer: 'l', path: `models/l/m${k}.sql` }));
          const dag = dagOf(g.edges.map(([x, y]) => [`m${x}`, `m${y}`]), nodes.map((x) => x.name));
          const s = (select: string[], exclude: string[] = []): Set<string> => selectNodes(nodes, dag, select, exclude);
          const A = s([a]);
          const B = s([b]);
          assert.deepEqual(s([`${a},${b}`]), new Set([...A].filter((x) => B.has(x))));
          assert.deepEqual(s([`${a} ${b}`]), new Set([...A, ...B]));
          assert.deepEqual(s([a, b]), new Set([...A, ...B]));
          assert.deepEqual(s([a], [b]), new Set([...A].filter((x) => !B.has(x))));
          const names = (set: Set<number>): Set<string> => new Set([...set].map((k) => `m${k}`));
          assert.deepEqual(s([`+m${i}`]), new Set([`m${i}`, ...names(closure(g.edges, i, true))]));
          assert.deepEqual(s([`m${i}+`]), new Set([`m${i}`, ...names(closure(g.edges, i, false))]));
          assert.deepEqual(s([`${depth}+m${i}`]), new Set([`m${i}`, ...names(closure(g.edges, i, true, depth))]));
          assert.deepEqual(s([`m${i}+${depth}`]), new Set([`m${i}`, ...names(closure(g.edges, i, false, depth))]));
          const down = [i, ...closure(g.edges, i, false)];
          assert.deepEqual(s([`@m${i}`]), new Set(names(new Set(down.flatMap((d) => [d, ...closure(g.edges, d, true)])))));
        },
      ),
      { numRuns: 300 },
    );
  });
});
