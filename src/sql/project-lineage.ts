/**
 * Column lineage across a project: each model is analyzed after the models it reads, so a
 * `*` over a parent expands to the parent's columns and a column the parent no longer
 * produces is caught; then the per-model lineages chain into one graph that answers
 * "where does this column come from" and "what does it feed", as far as either goes.
 */
import { analyzeModel, type Catalog, type CatalogColumn, type LineageKind, type ModelAnalysis } from './analyze.ts';
import { relationKey, type Relation } from './model-sql.ts';

export interface ModelSql {
  name: string;
  /** Rendered SQL, refs as placeholder markers (CompiledModel.sql). */
  sql: string;
}

/**
 * Analyzes models given dependencies first (the compiled project's `order`). A ref to a
 * model analyzed before takes its output columns; anything else asks `catalog`.
 */
export function analyzeModels(
  models: Iterable<ModelSql>,
  catalog: Catalog,
  /** Adjusts a model's analysis before the models after it read it (e.g. a snapshot's added columns). */
  after?: (name: string, analysis: ModelAnalysis) => void,
): Map<string, ModelAnalysis> {
  const done = new Map<string, ModelAnalysis>();
  const columnsOf = (r: Relation): readonly CatalogColumn[] | undefined => {
    const model = r.kind === 'ref' ? done.get(r.name) : undefined;
    if (!model) return catalog(r);
    return model.columns?.map((c) => ({ name: c.name, type: c.type }));
  };
  for (const m of models) {
    const analysis = analyzeModel(m.sql, columnsOf);
    after?.(m.name, analysis);
    done.set(m.name, analysis);
  }
  return done;
}

/** A column of a model, seed or table: `relationKey` and column name. */
export interface ColumnNode {
  relation: string;
  column: string;
}

export interface ColumnEdge {
  from: ColumnNode;
  to: ColumnNode;
  kind: LineageKind;
}

const nodeKey = (n: ColumnNode): string => `${n.relation}\0${n.column}`;

/** Every model column's lineage as edges, walkable both ways. */
export class ColumnGraph {
  private readonly up = new Map<string, ColumnEdge[]>();
  private readonly down = new Map<string, ColumnEdge[]>();

  constructor(analyses: ReadonlyMap<string, ModelAnalysis>) {
    for (const [model, analysis] of analyses) {
      for (const c of analysis.columns ?? []) {
        const to = { relation: relationKey({ kind: 'ref', name: model }), column: c.name };
        for (const s of c.lineage?.sources ?? []) {
          const edge = { from: { relation: relationKey(s.relation), column: s.column }, to, kind: c.lineage!.kind };
          push(this.up, nodeKey(to), edge);
          push(this.down, nodeKey(edge.from), edge);
        }
      }
    }
  }

  /** The edges from every column this one derives from, transitively, nearest first. */
  upstream(node: ColumnNode): ColumnEdge[] {
    return walk(this.up, node, (e) => e.from);
  }

  /** The edges to every column derived from this one, transitively, nearest first. */
  downstream(node: ColumnNode): ColumnEdge[] {
    return walk(this.down, node, (e) => e.to);
  }
}

function push(map: Map<string, ColumnEdge[]>, key: string, edge: ColumnEdge): void {
  const list = map.get(key);
  if (list) list.push(edge);
  else map.set(key, [edge]);
}

function walk(edges: ReadonlyMap<string, ColumnEdge[]>, start: ColumnNode, next: (e: ColumnEdge) => ColumnNode): ColumnEdge[] {
  const out: ColumnEdge[] = [];
  const seen = new Set([nodeKey(start)]);
  for (let queue = [start]; queue.length > 0; ) {
    const following: ColumnNode[] = [];
    for (const n of queue) {
      for (const e of edges.get(nodeKey(n)) ?? []) {
        out.push(e);
        const m = next(e);
        if (!seen.has(nodeKey(m))) {
          seen.add(nodeKey(m));
          following.push(m);
        }
      }
    }
    queue = following;
  }
  return out;
}
