/**
 * `strata docs`: a static documentation site for a project — models, columns, tests,
 * compiled SQL, the lineage graph, the last run's metrics, run durations and lake batches —
 * in one self-contained target/docs/index.html.
 */
export { generateDocsSite, renderDocsSite, type DocsSiteResult, type DocsData } from './site.ts';
export { loadDocsInputs, parseRunHistory, readRunHistory, toLakeBatchRows, DEFAULT_HISTORY_LIMIT, type LakeBatchInfoLike } from './load.ts';
export { serveDocs } from './serve.ts';
export { layoutGraph, type GraphLayout, type LayoutNode, type LayoutOptions } from './layout.ts';
export { lineageOf, SOURCES_BAND } from './graph.ts';
export type {
  DocsInputs,
  DocsSiteOptions,
  LakeBatchRow,
  LastRunMetrics,
  Manifest,
  RunHistoryEntry,
  RunResults,
} from './types.ts';
