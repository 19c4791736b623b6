import type { ManifestOutputColumn } from '../core/artifacts.ts';
import type { ModelAnalysis } from './analyze.ts';
import { relationLabel } from './model-sql.ts';

/**
 * A model's output columns with their one-hop lineage, as the manifest holds them; null when
 * unknown. target/sql-analyses.tsv keeps this very JSON for each model
 * (compile/analysis-cache.ts): living in src/sql/, it is part of the analyzer's id, so a
 * change here makes every kept analysis stale.
 */
export function outputColumns(analysis: Pick<ModelAnalysis, 'columns'> | undefined): ManifestOutputColumn[] | null {
  if (!analysis?.columns) return null;
  return analysis.columns.map((c) => ({
    name: c.name,
    type: c.type ?? null,
    lineage: c.lineage && {
      kind: c.lineage.kind,
      sources: c.lineage.sources.map((s) => ({ relation: relationLabel(s.relation), ...(s.relation.kind === 'ref' ? { node: true } : {}), column: s.column })),
      ...(c.lineage.partial ? { partial: true } : {}),
    },
  }));
}
