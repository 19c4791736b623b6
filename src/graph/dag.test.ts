import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Dag } from './dag.ts';
import { runDag } from './run-parallel.ts';
import { selectNodes, SelectorError, type SelectableNode } from './select.ts';

function graph(edges: [string, string][], nodes: string[] = []): Dag {
  const dag = new Dag();
  for (const n of nodes) dag.addNode(n);
  for (const [a, b] of edges) dag.addEdge(a, b);
  return dag;
}

test('sort is topological and deterministic (alphabetical among ready nodes)', () => {
  const dag = graph([['a', 'c'], ['b', 'c'], ['c', 'd'], ['a', 'e']], ['z']);
  assert.deepEqual(dag.sort(), { order: ['a', 'b', 'c', 'd', 'e', 'z'], cycles: [] });
  const again = graph([['a', 'e'], ['c', 'd'], ['b', 'c'], ['a', 'c']], ['z']);
  assert.deepEqual(again.sort().order, dag.sort().order);
});

test('cycles come back as paths, each once, with nodes downstream of them left out', () => {
  const dag = graph([['a', 'b'], ['b', 'c'], ['c', 'a'], ['c', 'd'], ['x', 'y'], ['y', 'x']]);
  const { order, cycles } = dag.sort();
  assert.deepEqual(order, []);
  assert.deepEqual(cycles, [['a', 'b', 'c', 'a'], ['x', 'y', 'x']]);
  for (const c of cycles) assert.equal(c[0], c.at(-1));
});

test('a self-reference is a cycle of one', () => {
  assert.deepEqual(graph([['a', 'a']]).sort().cycles, [['a', 'a']]);
});

test('upstream and downstream are transitive', () => {
  const dag = graph([['a', 'b'], ['b', 'c'], ['x', 'c'], ['c', 'd']]);
  assert.deepEqual([...dag.upstream('c')].sort(), ['a', 'b', 'x']);
  assert.deepEqual([...dag.downstream('b')].sort(), ['c', 'd']);
  assert.deepEqual([...dag.upstream('a')], []);
});

const nodes: SelectableNode[] = [
  { name: 'stg', tags: ['raw'], layer: 'silver', path: 'models/silver/stg.sql' },
  { name: 'fact', tags: ['scoring'], layer: 'gold', path: 'models/gold/fact.sql' },
  { name: 'dim', tags: [], layer: 'gold', path: 'models/gold/marts/dim.sql' },
  { name: 'top', tags: ['scoring', 'web'], layer: 'gold', path: 'models/gold/marts/top.sql' },
];
const modelGraph = graph([['seed', 'stg'], ['stg', 'fact'], ['fact', 'dim'], ['fact', 'top']]);
const sel = (select: string[], exclude: string[] = []): string[] => [...selectNodes(nodes, modelGraph, select, exclude)].sort();

test('selection: names, graph operators, tags, layers, paths, exclusion', () => {
  assert.deepEqual(sel([]), ['dim', 'fact', 'stg', 'top']);
  assert.deepEqual(sel(['fact']), ['fact']);
  assert.deepEqual(sel(['+fact']), ['fact', 'stg'], 'seeds are in the graph but never selected');
  assert.deepEqual(sel(['fact+']), ['dim', 'fact', 'top']);
  assert.deepEqual(sel(['+dim+']), ['dim', 'fact', 'stg']);
  assert.deepEqual(sel(['tag:scoring']), ['fact', 'top']);
  assert.deepEqual(sel(['layer:gold'], ['tag:web']), ['dim', 'fact']);
  assert.deepEqual(sel(['models/gold/*']), ['fact']);
  assert.deepEqual(sel(['models/gold/**']), ['dim', 'fact', 'top']);
  assert.deepEqual(sel(['path:models/gold/marts/']), ['dim', 'top']);
  assert.deepEqual(sel(['stg fact', 'dim']), ['dim', 'fact', 'stg'], 'space separated and repeated selections union');
  assert.throws(() => sel(['nope']), SelectorError);
  assert.throws(() => sel(['color:red']), /unknown selector method/);
});

test('runDag runs parents first, limits concurrency and skips descendants of failures', async () => {
  const dag = graph([['a', 'b'], ['b', 'c'], ['a', 'd'], ['x', 'y']]);
  const { order } = dag.sort();
  let running = 0;
  let peak = 0;
  const started: string[] = [];
  const skipped: [string, string][] = [];
  const outcomes = await runDag(
    dag,
    order,
    new Set(dag.nodes),
    2,
    async (n) => {
      started.push(n);
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return n === 'b' ? 'error' : 'success';
    },
    (n, because) => skipped.push([n, because]),
  );
  assert.equal(peak, 2);
  assert.ok(started.indexOf('a') < started.indexOf('b'));
  assert.deepEqual(skipped, [['c', 'b']]);
  assert.equal(outcomes.get('c'), 'skipped');
  assert.equal(outcomes.get('d'), 'success');
  assert.equal(outcomes.get('y'), 'success');
});

test('runDag with failFast: after the first error nothing new starts, even where independent', async () => {
  const dag = graph([['a', 'b'], ['x', 'y']]);
  const started: string[] = [];
  const skipped: [string, string][] = [];
  const outcomes = await runDag(
    dag,
    ['a', 'x', 'b', 'y'],
    new Set(dag.nodes),
    1,
    async (n) => {
      started.push(n);
      return n === 'a' ? 'error' : 'success';
    },
    (n, because) => skipped.push([n, because]),
    { failFast: true },
  );
  assert.deepEqual(started, ['a']);
  assert.deepEqual(skipped.sort(), [['b', 'a'], ['x', 'a'], ['y', 'a']]);
  assert.equal(outcomes.get('y'), 'skipped');
});
