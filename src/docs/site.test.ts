import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { StrataError } from '../core/errors.ts';
import { formatBytes, formatSeconds, jsonForScript, niceScale } from './format.ts';
import { EXPOSURES_BAND, lineageOf, SOURCES_BAND } from './graph.ts';
import { loadDocsInputs, parseRunHistory, toLakeBatchRows } from './load.ts';
import { resolveRequestPath } from './serve.ts';
import { renderDocsSite, type DocsData } from './site.ts';
import type { Manifest } from './types.ts';

const HOSTILE_SQL = "select '</script><script>alert(1)</script>' as x, '<!--' as y, '\u2028' as z -- & more";

const manifest: Manifest = {
  project: 'tiny',
  generated_at: '2026-01-01T00:00:00.000Z',
  layers: [{ name: 'staging' }, { name: 'marts' }],
  sources: [{ name: 'app', schema: 'app', tables: ['users', 'events'] }],
  nodes: {
    users_seed: { kind: 'seed', relation: '"app"."users"', path: 'seeds/users_seed.csv' },
    stg_users: {
      kind: 'model',
      layer: 'staging',
      relation: '"staging"."stg_users"',
      config: { materialized: 'view' },
      refs: [],
      sources: [{ source: 'app', table: 'users' }],
      description: 'Users <b>cleaned</b>',
      columns: [{ name: 'user_id', description: 'the key', tests: ['unique', 'not_null'] }],
      compiled_sql: HOSTILE_SQL,
    },
    stg_events: {
      kind: 'model',
      layer: 'staging',
      relation: null,
      config: { materialized: 'ephemeral' },
      refs: [],
      sources: [{ source: 'app', table: 'events' }],
      compiled_sql: 'select * from "app"."events"',
    },
    user_stats: {
      kind: 'model',
      layer: 'marts',
      relation: '"marts"."user_stats"',
      config: { materialized: 'incremental' },
      refs: ['stg_users', 'stg_events'],
      sources: [],
      compiled_sql: 'select 1',
    },
  },
  edges: [
    ['stg_users', 'user_stats'],
    ['stg_events', 'user_stats'],
  ],
  tests: [{ name: 'unique_stg_users_user_id', model: 'stg_users', kind: 'unique', severity: 'error', column: 'user_id' }],
};

function embeddedData(html: string): DocsData {
  const m = /<script type="application\/json" id="strata-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m, 'the data block is there');
  return JSON.parse(m[1]!) as DocsData;
}

test('jsonForScript: nothing in the data can close the script block, and it parses back', () => {
  const value = { sql: HOSTILE_SQL, nested: ['</SCRIPT >', '&amp;'] };
  const text = jsonForScript(value);
  assert.doesNotMatch(text, /<|>|&|\u2028/);
  assert.deepEqual(JSON.parse(text), value);
});

test('a source table loaded by a seed is drawn as that seed; other sources get nodes of their own', () => {
  const lineage = lineageOf(manifest);
  const ids = lineage.nodes.map((n) => n.id);
  assert.deepEqual(ids, ['users_seed', 'source:app.events', 'stg_users', 'stg_events', 'user_stats']);
  assert.deepEqual(lineage.bands, [SOURCES_BAND, 'staging', 'marts']);
  assert.deepEqual(
    lineage.edges.map((e) => e.join('>')).sort(),
    ['source:app.events>stg_events', 'stg_events>user_stats', 'stg_users>user_stats', 'users_seed>stg_users'],
  );
  assert.equal(lineage.nodes.find((n) => n.id === 'stg_events')!.materialized, 'ephemeral');
});

test('the page embeds every node, escapes hostile SQL, and draws one data-model per model', () => {
  const html = renderDocsSite({ projectDir: '/nowhere', manifest, runHistory: [] }, { now: new Date('2026-01-02T00:00:00Z') });
  assert.equal(html.match(/<\/script>/g)!.length, 2, 'only the data block and the script end a script');
  assert.doesNotMatch(html, /<b>cleaned<\/b>/, 'descriptions are escaped');
  const data = embeddedData(html);
  assert.equal(data.nodes.stg_users!.sql, HOSTILE_SQL);
  assert.equal(data.nodes.stg_users!.description, 'Users <b>cleaned</b>');
  assert.deepEqual(data.nodes.stg_users!.tests.map((t) => t.kind), ['unique']);
  assert.deepEqual(data.nodes.user_stats!.upstream.sort(), ['stg_events', 'stg_users']);
  assert.equal(html.match(/ data-model="/g)!.length, 3);
  for (const id of ['users_seed', 'source:app.events', 'stg_users', 'stg_events', 'user_stats']) assert.match(html, new RegExp(`id="node-${id}"`));
  assert.doesNotMatch(html, /\b(src|href)="(https?:)?\/\//, 'no network references');
  assert.match(html, /id="run-duration-chart"/);
  assert.match(html, /Lake batches were not read/);
});

test('secrets in URLs are masked in the page', () => {
  const secret: Manifest = { ...manifest, nodes: { ...manifest.nodes, user_stats: { ...manifest.nodes.user_stats!, compiled_sql: "select 'postgres://etl:hunter2@db.example/x'" } } };
  const html = renderDocsSite({ projectDir: '/nowhere', manifest: secret, runHistory: [] });
  assert.doesNotMatch(html, /hunter2/);
  assert.match(html, /postgres:\/\/etl:\*\*\*\*@db\.example/);
});

test('run history: run_end events, oldest first, last N, with the command of their run_start', () => {
  const lines = [
    '{"ts":"t1","batch_id":"b1","event":"run_start","command":"build"}',
    '{"ts":"t2","batch_id":"b1","event":"model_end","model":"m"}',
    'not json at all',
    '{"ts":"t3","batch_id":"b1","event":"run_end","status":"success","duration_s":3.5}',
    '{"ts":"t4","batch_id":"b1","event":"run_start","command":"test"}',
    '{"ts":"t5","batch_id":"b1","event":"run_end","status":"failed","duration_s":1.25}',
    '{"ts":"t6","batch_id":null,"event":"run_end","status":"success","duration_s":0.5}',
  ].join('\n');
  assert.deepEqual(parseRunHistory(lines), [
    { batchId: 'b1', ts: 't3', durationS: 3.5, status: 'success', command: 'build' },
    { batchId: 'b1', ts: 't5', durationS: 1.25, status: 'failed', command: 'test' },
    { batchId: null, ts: 't6', durationS: 0.5, status: 'success' },
  ]);
  assert.deepEqual(parseRunHistory(lines, 1).map((r) => r.ts), ['t6']);
});

test('loadDocsInputs reads the artifacts and explains a missing manifest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-docs-load-'));
  try {
    assert.throws(() => loadDocsInputs(dir), (err: unknown) => err instanceof StrataError && /strata compile/.test(err.message));
    mkdirSync(join(dir, 'target'));
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'target', 'manifest.json'), JSON.stringify(manifest));
    writeFileSync(join(dir, 'target', 'run_results.json'), '{ broken');
    writeFileSync(join(dir, 'logs', 'pipeline.log'), '{"ts":"t","batch_id":"b","event":"run_end","status":"success","duration_s":2}\n');
    const inputs = loadDocsInputs(dir);
    assert.equal(inputs.manifest.project, 'tiny');
    assert.equal(inputs.runResults, null, 'an unreadable optional artifact is skipped');
    assert.equal(inputs.lastRunMetrics, null);
    assert.deepEqual(inputs.runHistory, [{ batchId: 'b', ts: 't', durationS: 2, status: 'success' }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serveDocs never resolves a path outside its directory', () => {
  assert.equal(resolveRequestPath('/site', '/'), '/site/index.html');
  assert.equal(resolveRequestPath('/site', '/index.html?x=1'), '/site/index.html');
  assert.equal(resolveRequestPath('/site', '/../etc/passwd'), null);
  assert.equal(resolveRequestPath('/site', '/sub/../index.html'), '/site/index.html');
  assert.equal(resolveRequestPath('/site', '/%2e%2e/%2e%2e/etc/passwd'), null);
  assert.equal(resolveRequestPath('/site', '/a%00b'), null);
  assert.equal(resolveRequestPath('/site', '/%E0%A4%A'), null);
});

test('formatting helpers', () => {
  assert.equal(formatSeconds(3.276), '3.28 s');
  assert.equal(formatSeconds(120), '2 min');
  assert.equal(formatBytes(2345678), '2.2 MiB');
  assert.deepEqual(niceScale(7.4), { max: 8, step: 2 });
  assert.deepEqual(niceScale(0), { max: 1, step: 0.25 });
});

test('lake batches from the lake module become table rows', () => {
  const rows = toLakeBatchRows('gold', [
    { id: 'b1', complete: true, active: true, sizeBytes: 2048, rows: { dim_product: 150, fact_reviews: 2973 }, createdAt: '2026-01-01T00:00:00Z' },
    { id: 'b0', complete: false, active: false, sizeBytes: 12, rows: {}, createdAt: null },
  ]);
  assert.deepEqual(rows, [
    { batchId: 'b1', layer: 'gold', complete: true, active: true, rows: 3123, bytes: 2048, createdAt: '2026-01-01T00:00:00Z' },
    { batchId: 'b0', layer: 'gold', complete: false, active: false, rows: 0, bytes: 12, createdAt: null },
  ]);
  const html = renderDocsSite({ projectDir: '/nowhere', manifest, runHistory: [], lakeBatches: rows });
  assert.match(html, /<td class="mono">b1<\/td><td><span class="status status-active">active<\/span>/);
  assert.match(html, /status-incomplete/);
});

test('exposures get a band of their own after the layers, with edges from what they read', () => {
  const lineage = lineageOf({ ...manifest, exposures: [{ name: 'board', type: 'dashboard', refs: ['user_stats'], sources: [{ source: 'app', table: 'users' }] }] });
  assert.deepEqual(lineage.bands, [SOURCES_BAND, 'staging', 'marts', EXPOSURES_BAND]);
  assert.deepEqual(lineage.nodes.at(-1), { id: 'exposure:board', kind: 'exposure', band: EXPOSURES_BAND, materialized: 'exposure', relation: 'dashboard' });
  assert.deepEqual(lineage.edges.filter(([, b]) => b === 'exposure:board').map(([a]) => a).sort(), ['user_stats', 'users_seed']);
});
