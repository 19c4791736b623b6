import type { Dag } from './dag.ts';

export type NodeOutcome = 'success' | 'error' | 'skipped';

/**
 * Runs `work` over the chosen nodes of a DAG, a node only after all its chosen parents
 * succeeded, with at most `concurrency` at once. A node whose parent failed or was
 * skipped is skipped, not run. Ready nodes start in the order of `order`.
 */
export async function runDag(
  dag: Dag,
  order: readonly string[],
  chosen: ReadonlySet<string>,
  concurrency: number,
  work: (node: string) => Promise<NodeOutcome>,
  onSkip: (node: string, because: string) => void,
  /** `--fail-fast`: after the first error nothing new starts; the rest is skipped because of it. */
  { failFast = false }: { failFast?: boolean } = {},
): Promise<Map<string, NodeOutcome>> {
  const outcomes = new Map<string, NodeOutcome>();
  const pending = order.filter((n) => chosen.has(n));
  const waitingOn = new Map(pending.map((n) => [n, dag.parents(n).filter((p) => chosen.has(p)).length]));
  const blockedBy = new Map<string, string>();
  let ready = pending.filter((n) => waitingOn.get(n) === 0);
  const rank = new Map(pending.map((n, i) => [n, i]));
  let running = 0;
  let firstError: string | undefined;

  return new Promise((resolve, reject) => {
    const settle = (node: string, outcome: NodeOutcome): void => {
      outcomes.set(node, outcome);
      if (failFast && outcome === 'error') firstError ??= node;
      for (const child of dag.children(node)) {
        if (!waitingOn.has(child)) continue;
        if (outcome !== 'success' && !blockedBy.has(child)) blockedBy.set(child, blockedBy.get(node) ?? node);
        const left = waitingOn.get(child)! - 1;
        waitingOn.set(child, left);
        if (left === 0) ready.push(child);
      }
    };
    const pump = (): void => {
      ready.sort((a, b) => rank.get(a)! - rank.get(b)!);
      while (ready.length > 0) {
        const node = ready[0]!;
        const because = blockedBy.get(node) ?? firstError;
        if (because !== undefined) {
          ready.shift();
          blockedBy.set(node, because);
          onSkip(node, because);
          settle(node, 'skipped');
          continue;
        }
        if (running >= concurrency) break;
        ready.shift();
        running++;
        work(node).then(
          (outcome) => {
            running--;
            settle(node, outcome);
            pump();
          },
          reject,
        );
      }
      if (running === 0 && ready.length === 0) resolve(outcomes);
    };
    pump();
  });
}
