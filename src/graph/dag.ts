/**
 * A generic directed acyclic graph. It knows nothing about models: nodes are strings,
 * edges point from a dependency to its dependents.
 */
export class Dag {
  // Arrays, not Sets: a node has few edges, and at 100,000 nodes Sets cost tens of MB.
  private readonly deps = new Map<string, string[]>();
  private readonly dependents = new Map<string, string[]>();

  addNode(node: string): void {
    if (!this.deps.has(node)) {
      this.deps.set(node, []);
      this.dependents.set(node, []);
    }
  }

  /** `node` depends on `dependency`. */
  addEdge(dependency: string, node: string): void {
    this.addNode(dependency);
    this.addNode(node);
    const deps = this.deps.get(node)!;
    if (deps.includes(dependency)) return;
    deps.push(dependency);
    this.dependents.get(dependency)!.push(node);
  }

  get nodes(): string[] {
    return [...this.deps.keys()];
  }

  has(node: string): boolean {
    return this.deps.has(node);
  }

  parents(node: string): string[] {
    return [...(this.deps.get(node) ?? [])];
  }

  children(node: string): string[] {
    return [...(this.dependents.get(node) ?? [])];
  }

  upstream(node: string): Set<string> {
    return this.walk(node, this.deps);
  }

  downstream(node: string): Set<string> {
    return this.walk(node, this.dependents);
  }

  private walk(start: string, edges: Map<string, string[]>): Set<string> {
    const seen = new Set<string>();
    const stack = [...(edges.get(start) ?? [])];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      for (const next of edges.get(n) ?? []) stack.push(next);
    }
    return seen;
  }

  /**
   * Kahn's algorithm; among ready nodes the alphabetically first goes next, so the
   * order is the same on every machine. Returns the cycles when there is no order.
   */
  sort(): { order: string[]; cycles: string[][] } {
    const indegree = new Map<string, number>();
    for (const [n, d] of this.deps) indegree.set(n, d.length);
    const ready = new MinQueue([...indegree].filter(([, d]) => d === 0).map(([n]) => n));
    const order: string[] = [];
    while (ready.size > 0) {
      const n = ready.pop();
      order.push(n);
      for (const child of this.dependents.get(n)!) {
        const left = indegree.get(child)! - 1;
        indegree.set(child, left);
        if (left === 0) ready.push(child);
      }
    }
    if (order.length === this.deps.size) return { order, cycles: [] };
    const placed = new Set(order);
    return { order, cycles: this.findCycles([...this.deps.keys()].filter((n) => !placed.has(n)).sort()) };
  }

  /** One cycle per strongly connected tangle, each as a path `a -> b -> a`. */
  private findCycles(stuckNodes: string[]): string[][] {
    const stuck = new Set(stuckNodes);
    const cycles: string[][] = [];
    const done = new Set<string>();
    for (const start of stuckNodes) {
      if (done.has(start)) continue;
      // Follow dependencies inside the stuck set until a node repeats: that loop is a cycle.
      const path: string[] = [];
      const index = new Map<string, number>();
      let n: string | undefined = start;
      while (n !== undefined && !index.has(n)) {
        index.set(n, path.length);
        path.push(n);
        n = [...this.deps.get(n)!].sort().find((d) => stuck.has(d) && !done.has(d));
      }
      if (n !== undefined) {
        // Reversed, the path follows data flow (a feeds b); it starts at its first name.
        const loop = path.slice(index.get(n)!).reverse();
        const first = loop.indexOf([...loop].sort()[0]!);
        const cycle = [...loop.slice(first), ...loop.slice(0, first)];
        cycles.push([...cycle, cycle[0]!]);
        for (const c of cycle) done.add(c);
      }
      for (const p of path) done.add(p);
    }
    return cycles;
  }
}

/** A small binary min-heap of strings: keeps the topological sort O(n log n). */
class MinQueue {
  private readonly heap: string[] = [];
  constructor(items: string[]) {
    for (const i of items) this.push(i);
  }
  get size(): number {
    return this.heap.length;
  }
  push(item: string): void {
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! <= h[i]!) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }
  pop(): string {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]! < h[m]!) m = l;
        if (r < h.length && h[r]! < h[m]!) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}
