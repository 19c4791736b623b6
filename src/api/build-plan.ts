import type { CompiledProject } from '../compile/compile.ts';
import type { CompiledTest } from '../compile/types.ts';
import { Dag } from '../graph/dag.ts';

export const testNode = (name: string): string => `test:${name}`;

/** The tests that belong to a run: those touching at least one chosen model. */
export function testsFor(tests: readonly CompiledTest[], chosen: ReadonlySet<string>): CompiledTest[] {
  return tests.filter((t) => t.refs.some((r) => chosen.has(r)));
}

/**
 * The graph a build walks: the chosen models, each test after the models it reads, and
 * every child of a model after that model's tests, so a failed test stops the rows it
 * judged from flowing further. A test only gates the children that read all of its models
 * (a test reading a model and one of that model's children cannot gate the others: cycles).
 */
export function buildGraph(compiled: CompiledProject, chosen: ReadonlySet<string>, tests: readonly CompiledTest[]): Dag {
  const dag = new Dag();
  for (const m of chosen) {
    dag.addNode(m);
    for (const p of compiled.dag.parents(m)) if (chosen.has(p)) dag.addEdge(p, m);
  }
  const upstream = new Map<string, Set<string>>();
  const upstreamOf = (n: string): Set<string> => {
    let u = upstream.get(n);
    if (!u) upstream.set(n, (u = compiled.dag.upstream(n)));
    return u;
  };
  for (const t of tests) {
    const node = testNode(t.name);
    dag.addNode(node);
    const refs = t.refs.filter((r) => chosen.has(r));
    for (const r of refs) dag.addEdge(r, node);
    for (const r of refs) {
      for (const child of compiled.dag.children(r)) {
        if (!chosen.has(child) || t.refs.includes(child)) continue;
        // Gate a child only when it reads every model the test reads (as dbt does): two
        // relationships tests pointing at two different children would otherwise each wait
        // for the child the other one gates, a cycle.
        if (!t.refs.every((ref) => upstreamOf(child).has(ref))) continue;
        dag.addEdge(node, child);
      }
    }
  }
  return dag;
}
