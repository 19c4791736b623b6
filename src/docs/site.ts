/**
 * The static docs site: one self-contained index.html (inline CSS, JS, SVG and data) that
 * opens from disk. Everything is computed here, at generation time; the page's script
 * only shows panels, highlights lineage and zooms.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { maskSecrets } from '../engine/secrets.ts';
import { STRATA_VERSION } from '../core/version.ts';
import { runDurationChart, stepTimesBar, STEP_ORDER } from './charts.ts';
import { escapeHtml, formatBytes, formatInt, formatSeconds, formatTimestamp, jsonForScript } from './format.ts';
import {
  MATERIALIZATION_LEGEND,
  SOURCES_BAND,
  bandLabel,
  layoutLineage,
  lineageOf,
  unquote,
  renderLineageSvg,
  type Lineage,
  type LineageKind,
  type NodeRunInfo,
} from './graph.ts';
import type { DocsInputs, DocsSiteOptions, LakeBatchRow, LastRunMetrics, Manifest, ManifestNode, RunResultEntry, RunResults } from './types.ts';

const asset = (name: string): string => readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');

/** The data the page's script reads, embedded as JSON. */
export interface DocsData {
  project: string;
  strataVersion: string;
  generatedAt: string;
  nodes: Record<string, DocsDataNode>;
  edges: [string, string][];
}

export interface DocsDataNode {
  kind: LineageKind;
  label: string;
  band: string;
  materialized: string;
  relation: string | null;
  path: string | null;
  description: string | null;
  tags: string[];
  uniqueKey: string[];
  checksum: string | null;
  columns: DocsColumn[];
  tests: { name: string; kind: string; column: string | null; severity: string; status?: string; failures?: number }[];
  sql: string | null;
  upstream: string[];
  downstream: string[];
  run?: { status: string; rows: number | null; merged: number | null; seconds: number | null; error: string | null };
}

/** A column: produced (output_columns) and/or documented (schema.yml). */
export interface DocsColumn {
  name: string;
  description: string | null;
  tests: string[];
  type: string | null;
  /** copy, cast or transform; null when unknown or only documented. */
  lineage: string | null;
  /** One hop upstream: the graph node holding the column (null: a table not in the graph). */
  upstream: { node: string | null; label: string; column: string }[];
}

/**
 * The produced columns in order, with the descriptions and tests of schema.yml; documented
 * columns the analysis could not list (columns unknown) follow. `nodeOf` maps a lineage
 * relation (a model or seed name, or `schema.table`) to its node in the graph.
 */
function docsColumns(m: ManifestNode | undefined, nodeOf: (relation: string, isNode: boolean) => string | null): DocsColumn[] {
  const documented = new Map((m?.columns ?? []).map((c) => [c.name, c]));
  const produced = m?.output_columns ?? [];
  const out: DocsColumn[] = produced.map((c) => {
    const doc = documented.get(c.name);
    return {
      name: c.name,
      description: doc?.description ?? null,
      tests: doc?.tests ?? [],
      type: c.type,
      lineage: c.lineage?.kind ?? null,
      upstream: (c.lineage?.sources ?? []).map((s) => ({ node: nodeOf(s.relation, s.node === true), label: s.relation, column: s.column })),
    };
  });
  const seen = new Set(produced.map((c) => c.name));
  for (const c of m?.columns ?? []) {
    if (!seen.has(c.name)) out.push({ name: c.name, description: c.description ?? null, tests: c.tests ?? [], type: null, lineage: null, upstream: [] });
  }
  return out;
}

interface ModelRun {
  status: string;
  rows: number | null;
  merged: number | null;
  seconds: number | null;
  error: string | null;
  materialized: string | null;
}

/** Per-model results of the last run: run_results.json, else last_run_metrics.json. */
function modelRuns(runResults: RunResults | null | undefined, metrics: LastRunMetrics | null | undefined): Map<string, ModelRun> {
  const runs = new Map<string, ModelRun>();
  if (runResults) {
    for (const r of runResults.results.filter((e) => e.kind === 'model')) {
      runs.set(r.name, {
        status: r.status,
        rows: r.rows ?? null,
        merged: r.merged ?? null,
        seconds: r.duration_s ?? null,
        error: r.error ?? null,
        materialized: r.materialized ?? null,
      });
    }
  } else if (metrics?.models) {
    const seconds = metrics.models.seconds ?? {};
    const rows = metrics.models.rows ?? {};
    for (const name of new Set([...Object.keys(seconds), ...Object.keys(rows)])) {
      runs.set(name, { status: 'success', rows: rows[name] ?? null, merged: null, seconds: seconds[name] ?? null, error: null, materialized: null });
    }
  }
  return runs;
}

function testRuns(runResults: RunResults | null | undefined): Map<string, RunResultEntry> {
  return new Map((runResults?.results ?? []).filter((e) => e.kind === 'test').map((e) => [e.name, e]));
}

export function docsData(manifest: Manifest, lineage: Lineage, runs: Map<string, ModelRun>, tests: Map<string, RunResultEntry>, generatedAt: string): DocsData {
  const up = new Map<string, string[]>();
  const down = new Map<string, string[]>();
  for (const [a, b] of lineage.edges) {
    (down.get(a) ?? down.set(a, []).get(a)!).push(b);
    (up.get(b) ?? up.set(b, []).get(b)!).push(a);
  }
  // A source table is drawn as its own node, or as the seed that loads it.
  const tableNodes = new Map(lineage.nodes.filter((n) => n.kind !== 'model' && n.relation).map((n) => [unquote(n.relation!), n.id]));
  const nodeOf = (relation: string, isNode: boolean): string | null =>
    isNode ? (manifest.nodes[relation] ? relation : null) : tableNodes.get(unquote(relation)) ?? null;
  const nodes: Record<string, DocsDataNode> = {};
  for (const n of lineage.nodes) {
    const m = manifest.nodes[n.id];
    const run = runs.get(n.id);
    const ownTests = (manifest.tests ?? []).filter((t) => t.model === n.id || (t.model === null && (t.refs ?? []).includes(n.id)));
    nodes[n.id] = {
      kind: n.kind,
      label: n.kind === 'source' ? n.relation ?? n.id : n.id,
      band: bandLabel(n.band),
      materialized: n.materialized,
      relation: n.relation,
      path: m?.path ?? null,
      description: m?.description ?? null,
      tags: Array.isArray(m?.config?.tags) ? m.config.tags.map(String) : [],
      uniqueKey: Array.isArray(m?.config?.uniqueKey) ? m.config.uniqueKey.map(String) : [],
      checksum: m?.checksum ?? null,
      columns: docsColumns(m, nodeOf),
      tests: ownTests.map((t) => {
        const r = tests.get(t.name);
        return {
          name: t.name,
          kind: t.kind,
          column: t.column,
          severity: t.severity,
          ...(r ? { status: r.status, failures: r.failures ?? 0 } : {}),
        };
      }),
      sql: m?.compiled_sql ?? null,
      upstream: up.get(n.id) ?? [],
      downstream: down.get(n.id) ?? [],
      ...(run ? { run: { status: run.status, rows: run.rows, merged: run.merged, seconds: run.seconds, error: run.error } } : {}),
    };
  }
  return { project: manifest.project, strataVersion: manifest.strata_version ?? STRATA_VERSION, generatedAt, nodes, edges: lineage.edges };
}

const LOGO =
  '<svg class="brand-mark" viewBox="0 0 24 24" aria-hidden="true"><rect x="2" y="3" width="20" height="4.5" rx="1.5" fill="#7aa7ff"/>' +
  '<rect x="2" y="9.75" width="20" height="4.5" rx="1.5" fill="#4f86f0"/><rect x="2" y="16.5" width="20" height="4.5" rx="1.5" fill="#2f62c8"/></svg>';

function sidebar(lineage: Lineage, bands: string[]): string {
  const groups = bands
    .map((band) => {
      const members = lineage.nodes.filter((n) => n.band === band).sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
      if (members.length === 0) return '';
      const items = members
        .map((n) => {
          const label = n.kind === 'source' ? n.relation ?? n.id : n.id;
          return (
            `<li data-search="${escapeHtml(`${label} ${n.materialized} ${n.band}`.toLowerCase())}">` +
            `<a href="#node=${escapeHtml(encodeURIComponent(n.id))}" data-node="${escapeHtml(n.id)}" class="mat-${escapeHtml(n.materialized)}" title="${escapeHtml(label)}">` +
            `<span class="dot"></span><span class="name">${escapeHtml(label)}</span></a></li>`
          );
        })
        .join('');
      return `<div class="group"><h3><span>${escapeHtml(bandLabel(band))}</span><span>${members.length}</span></h3><ul>${items}</ul></div>`;
    })
    .join('');
  return (
    '<nav class="sidebar" aria-label="Models"><div class="search"><input type="search" id="search" placeholder="Filter models…" autocomplete="off" aria-label="Filter models"></div>' +
    `<div class="model-list">${groups}</div></nav>`
  );
}

function legend(lineage: Lineage): string {
  const used = new Set(lineage.nodes.map((n) => n.materialized));
  return (
    '<div class="legend" id="legend">' +
    MATERIALIZATION_LEGEND.filter(([m]) => used.has(m) || ['view', 'table', 'incremental', 'ephemeral'].includes(m))
      .map(([m, label]) => `<span><i class="dot mat-${m}"></i>${escapeHtml(label)}</span>`)
      .join('') +
    '</div>'
  );
}

function kpi(label: string, value: string, hint: string, cls = '', small = false): string {
  return `<div class="kpi ${cls}"><div class="label">${escapeHtml(label)}</div><div class="value${small ? ' small' : ''}" title="${escapeHtml(value)}">${escapeHtml(value)}</div><div class="hint">${escapeHtml(hint)}</div></div>`;
}

function lastRunCard(metrics: LastRunMetrics | null | undefined, runResults: RunResults | null | undefined, budgetS: number): string {
  const head = '<div class="card-head"><h2>Last run</h2>';
  if (!metrics && !runResults) {
    return `<section class="card" id="last-run">${head}</div><div class="card-body"><div class="empty">No run recorded yet: run <code>strata build</code>.</div></div></section>`;
  }
  const success = metrics?.pipeline_success ?? (runResults?.status === 'success' ? 1 : 0);
  const latency = metrics?.pipeline_latency ?? runResults?.elapsed_s ?? null;
  const batch = metrics?.batch_id ?? runResults?.batch_id ?? null;
  const finished = metrics?.finished_at ?? runResults?.finished_at ?? null;
  const command = metrics?.command ?? runResults?.command ?? '';
  const m = metrics?.models;
  const t = metrics?.tests;
  const published = metrics?.published ?? runResults?.published;
  const tiles = [
    kpi('pipeline_success', success === 1 ? '1 · success' : '0 · failed', command ? `${command}${published === false ? ', not published' : published ? ', published' : ''}` : '', success === 1 ? 'ok' : 'bad'),
    kpi('pipeline_latency', formatSeconds(latency), `budget ${budgetS} s`, latency !== null && latency > budgetS ? 'bad' : ''),
    kpi('models', m ? `${formatInt(m.success ?? 0)} / ${formatInt(m.total ?? 0)}` : '—', m ? `${m.error ?? 0} error · ${m.skipped ?? 0} skipped` : '', m && (m.error ?? 0) > 0 ? 'bad' : ''),
    kpi('tests', t ? `${formatInt(t.pass ?? 0)} / ${formatInt(t.total ?? 0)}` : '—', t ? `${t.fail ?? 0} fail · ${t.warn ?? 0} warn` : '', t && (t.fail ?? 0) > 0 ? 'bad' : ''),
    kpi('batch', batch ?? '—', finished ? `finished ${formatTimestamp(finished)} UTC` : '', '', true),
  ].join('');
  const steps = metrics?.steps ?? {};
  const rank = (s: string): number => (STEP_ORDER.includes(s) ? STEP_ORDER.indexOf(s) : STEP_ORDER.length);
  const stepNames = Object.keys(steps).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const stepLegend = stepNames
    .map((s) => `<span><i class="step-${STEP_ORDER.includes(s) ? s : 'other'}"></i>${escapeHtml(s)} ${escapeHtml(formatSeconds(steps[s]))}</span>`)
    .join('');
  const error = metrics?.error ?? runResults?.error;
  return (
    `<section class="card" id="last-run">${head}<span class="sub">docs/last_run_metrics.json</span></div><div class="card-body">` +
    `<div class="kpis">${tiles}</div>` +
    (error ? `<p class="empty" style="color:var(--bad);font-style:normal">${escapeHtml(error)}</p>` : '') +
    `<div class="steps"><h3>Time per step</h3>${stepTimesBar(steps)}<div class="step-legend">${stepLegend}</div></div>` +
    '</div></section>'
  );
}

function historyCard(inputs: DocsInputs, budgetS: number): string {
  const h = inputs.runHistory;
  const failed = h.filter((r) => r.status !== 'success').length;
  const avg = h.length ? h.reduce((s, r) => s + r.durationS, 0) / h.length : null;
  return (
    '<section class="card" id="run-history"><div class="card-head"><h2>Run durations</h2>' +
    `<span class="sub">last ${h.length} run${h.length === 1 ? '' : 's'} · logs/pipeline.log${avg !== null ? ` · mean ${escapeHtml(formatSeconds(avg))}` : ''}</span></div>` +
    `<div class="card-body">${runDurationChart(h, { budgetS })}` +
    '<div class="chart-legend"><span><i style="background:#5b8def"></i>success</span>' +
    `<span><i style="background:var(--bad)"></i>failed${failed ? ` (${failed})` : ''}</span></div></div></section>`
  );
}

function modelTable(manifest: Manifest, runs: Map<string, ModelRun>): string {
  const rows = [...runs.entries()].sort((a, b) => (b[1].seconds ?? 0) - (a[1].seconds ?? 0));
  const head = '<section class="card" id="model-metrics"><div class="card-head"><h2>Models in the last run</h2><span class="sub">rows and seconds per model, slowest first</span></div>';
  if (rows.length === 0) return `${head}<div class="card-body"><div class="empty">No model results yet.</div></div></section>`;
  const maxS = Math.max(0.001, ...rows.map(([, r]) => r.seconds ?? 0));
  const body = rows
    .map(([name, r]) => {
      const node = manifest.nodes[name];
      const mat = r.materialized ?? node?.config?.materialized ?? '';
      const width = Math.max(2, Math.round(((r.seconds ?? 0) / maxS) * 120));
      return (
        `<tr><td><a href="#node=${escapeHtml(encodeURIComponent(name))}">${escapeHtml(name)}</a></td><td>${escapeHtml(node?.layer ?? '')}</td>` +
        `<td><span class="tag">${escapeHtml(mat)}</span></td><td><span class="status status-${escapeHtml(r.status)}">${escapeHtml(r.status)}</span></td>` +
        `<td class="num">${formatInt(r.rows)}${r.merged !== null ? ` <span class="muted">(${formatInt(r.merged)} merged)</span>` : ''}</td>` +
        `<td class="num"><span class="timebar" style="width:${width}px"></span>${escapeHtml(formatSeconds(r.seconds))}</td></tr>`
      );
    })
    .join('');
  return (
    `${head}<div class="scroll"><table class="data"><thead><tr><th>model</th><th>layer</th><th>materialized</th><th>status</th>` +
    `<th class="num">rows</th><th class="num">seconds</th></tr></thead><tbody>${body}</tbody></table></div></section>`
  );
}

function testTable(runResults: RunResults | null | undefined): string {
  const tests = (runResults?.results ?? []).filter((e) => e.kind === 'test');
  const head = '<section class="card" id="test-results"><div class="card-head"><h2>Tests in the last run</h2>';
  if (tests.length === 0) return `${head}</div><div class="card-body"><div class="empty">No test results in target/run_results.json.</div></div></section>`;
  const order = (s: string): number => ['error', 'fail', 'warn', 'skipped', 'pass'].indexOf(s);
  const sorted = [...tests].sort((a, b) => order(a.status) - order(b.status) || a.name.localeCompare(b.name));
  const bad = tests.filter((t) => t.status !== 'pass').length;
  const body = sorted
    .map(
      (t) =>
        `<tr><td class="mono">${escapeHtml(t.name)}</td><td>${t.model ? `<a href="#node=${escapeHtml(encodeURIComponent(t.model))}">${escapeHtml(t.model)}</a>` : '<span class="muted">—</span>'}</td>` +
        `<td>${escapeHtml(t.severity ?? '')}</td><td><span class="status status-${escapeHtml(t.status)}">${escapeHtml(t.status)}</span></td>` +
        `<td class="num">${formatInt(t.failures ?? 0)}</td><td class="num">${escapeHtml(formatSeconds(t.duration_s))}</td></tr>`,
    )
    .join('');
  return (
    `${head}<span class="sub">${tests.length - bad} of ${tests.length} passed</span></div><div class="scroll"><table class="data"><thead><tr><th>test</th><th>model</th><th>severity</th><th>status</th>` +
    `<th class="num">failing rows</th><th class="num">seconds</th></tr></thead><tbody>${body}</tbody></table></div></section>`
  );
}

function lakeTable(batches: LakeBatchRow[] | null | undefined): string {
  const head = '<section class="card" id="lake-batches"><div class="card-head"><h2>Lake batches</h2><span class="sub">parquet snapshots exported after publishing</span></div>';
  if (!batches) return `${head}<div class="card-body"><div class="empty">Lake batches were not read for this site.</div></div></section>`;
  if (batches.length === 0) return `${head}<div class="card-body"><div class="empty">No batches exported to the lake yet.</div></div></section>`;
  const sorted = [...batches].sort((a, b) => a.layer.localeCompare(b.layer) || (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || b.batchId.localeCompare(a.batchId));
  const body = sorted
    .map((b) => {
      const state = b.active ? 'active' : b.complete ? 'complete' : 'incomplete';
      return (
        `<tr><td>${escapeHtml(b.layer)}</td><td class="mono">${escapeHtml(b.batchId)}</td><td><span class="status status-${state}">${state}</span></td>` +
        `<td class="num">${formatInt(b.rows)}</td><td class="num">${escapeHtml(formatBytes(b.bytes))}</td><td class="num">${escapeHtml(formatTimestamp(b.createdAt))}</td></tr>`
      );
    })
    .join('');
  return (
    `${head}<div class="scroll"><table class="data" id="lake-table"><thead><tr><th>layer</th><th>batch</th><th>state</th><th class="num">rows</th>` +
    `<th class="num">size</th><th class="num">created (UTC)</th></tr></thead><tbody>${body}</tbody></table></div></section>`
  );
}

/** The whole page as one HTML string. */
export function renderDocsSite(inputs: DocsInputs, options: DocsSiteOptions = {}): string {
  const { manifest } = inputs;
  const budgetS = options.latencyBudgetS ?? 120;
  const generatedAt = (options.now ?? new Date()).toISOString();
  const lineage = lineageOf(manifest);
  const layout = layoutLineage(lineage);
  const runs = modelRuns(inputs.runResults, inputs.lastRunMetrics);
  const nodeRun = new Map<string, NodeRunInfo>([...runs].map(([name, r]) => [name, { status: r.status, rows: r.rows }]));
  const data = docsData(manifest, lineage, runs, testRuns(inputs.runResults), generatedAt);
  const models = lineage.nodes.filter((n) => n.kind === 'model').length;

  const status = inputs.lastRunMetrics?.pipeline_success ?? (inputs.runResults ? (inputs.runResults.status === 'success' ? 1 : 0) : null);
  const pill =
    status === null
      ? '<span class="pill pill-none">no run yet</span>'
      : status === 1
        ? '<span class="pill pill-ok">last run succeeded</span>'
        : '<span class="pill pill-bad">last run failed</span>';

  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="generator" content="strata ${escapeHtml(STRATA_VERSION)}">
<title>${escapeHtml(manifest.project)} · strata docs</title>
<link rel="icon" href="data:,">
<style>
${asset('site.css')}
</style>
</head>
<body>
<header class="topbar">
  <div class="brand">${LOGO}<span>strata</span><span class="brand-project">${escapeHtml(manifest.project)}</span></div>
  ${pill}
  <div class="meta">
    <span><b>${models}</b> models</span>
    <span><b>${(manifest.tests ?? []).length}</b> tests</span>
    <span>manifest <b>${escapeHtml(formatTimestamp(manifest.generated_at))}</b></span>
    <span>site <b>${escapeHtml(formatTimestamp(generatedAt))}</b> UTC</span>
  </div>
</header>
<div class="layout">
${sidebar(lineage, [SOURCES_BAND, ...layout.bands.map((b) => b.name).filter((b) => b !== SOURCES_BAND)])}
<main class="main" id="main">
  <section class="card" id="lineage">
    <div class="card-head"><h2>Lineage</h2><span class="sub">${lineage.nodes.length} nodes · ${layout.edges.length} edges · click a node for its details</span>
      ${legend(lineage)}
      <div class="zoom"><button type="button" data-zoom="out" aria-label="Zoom out">−</button><button type="button" data-zoom="reset" id="zoom-level">100%</button><button type="button" data-zoom="in" aria-label="Zoom in">+</button><button type="button" data-zoom="fit">Fit</button></div>
    </div>
    <div class="graph-wrap" id="graph-wrap">
${lineage.nodes.length === 0 ? '<div class="card-body"><div class="empty">No models in the manifest yet.</div></div>' : renderLineageSvg(lineage, layout, nodeRun)}
    </div>
  </section>
  <div class="cards">
    ${lastRunCard(inputs.lastRunMetrics, inputs.runResults, budgetS)}
    ${historyCard(inputs, budgetS)}
  </div>
  <div class="cards tables">
    ${modelTable(manifest, runs)}
    ${testTable(inputs.runResults)}
  </div>
  ${lakeTable(inputs.lakeBatches)}
</main>
<aside class="detail" id="detail" hidden aria-live="polite"></aside>
</div>
<script type="application/json" id="strata-data">${jsonForScript(data)}</script>
<script>
${asset('site.js').replace(/<\/(script)/gi, '<\\/$1')}
</script>
</body>
</html>
`;
  return maskSecrets(html);
}

export interface DocsSiteResult {
  /** The written index.html. */
  path: string;
  bytes: number;
  models: number;
  nodes: number;
  edges: number;
}

/** Writes `<projectDir>/target/docs/index.html` (or `<outDir>/index.html`), atomically. */
export function generateDocsSite(inputs: DocsInputs, options: DocsSiteOptions = {}): DocsSiteResult {
  const outDir = options.outDir ?? join(inputs.projectDir, 'target', 'docs');
  const html = renderDocsSite(inputs, options);
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, 'index.html');
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, html);
  renameSync(tmp, path);
  const lineage = lineageOf(inputs.manifest);
  return {
    path,
    bytes: Buffer.byteLength(html),
    models: lineage.nodes.filter((n) => n.kind === 'model').length,
    nodes: lineage.nodes.length,
    edges: lineage.edges.length,
  };
}
