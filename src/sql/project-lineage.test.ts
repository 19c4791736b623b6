import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { loadSqlParser } from './parser.ts';
import { refMarker } from '../compile/placeholders.ts';
import { analyzeModels, ColumnGraph } from './project-lineage.ts';

before(() => loadSqlParser());

const ref = refMarker;
const catalog = (r: { kind: string; schema?: string | null; name?: string }) =>
  r.kind === 'table' && r.schema === 'raw' && r.name === 'events' ? [{ name: 'id', type: 'bigint' }, { name: 'kind', type: 'text' }, { name: 'at' }] : undefined;

test('models analyzed in order see their parents’ columns: stars expand, a dropped column is caught', () => {
  const analyses = analyzeModels(
    [
      { name: 'stg', sql: 'select id as event_id, kind from raw.events' },
      { name: 'mart', sql: `select *, upper(kind) as kind_label from ${ref('stg')}` },
      { name: 'broken', sql: `select m.at from ${ref('mart')} m` },
    ],
    catalog,
  );
  assert.deepEqual(analyses.get('mart')!.columns!.map((c) => c.name), ['event_id', 'kind', 'kind_label']);
  assert.deepEqual(analyses.get('broken')!.problems.map((p) => [p.kind, p.relation, p.column]), [['missing-column', { kind: 'ref', name: 'mart' }, 'at']]);
});

test('the column graph walks lineage up to the sources and down to every use', () => {
  const analyses = analyzeModels(
    [
      { name: 'stg', sql: 'select id as event_id, kind from raw.events' },
      { name: 'mart', sql: `select event_id, upper(kind) as label from ${ref('stg')}` },
      { name: 'report', sql: `select count(distinct label) as labels, max(event_id) as last from ${ref('mart')}` },
    ],
    catalog,
  );
  const graph = new ColumnGraph(analyses);
  const show = (edges: { from: { relation: string; column: string }; to: { relation: string; column: string }; kind: string }[]) =>
    edges.map((e) => `${e.from.relation}.${e.from.column} -${e.kind}-> ${e.to.relation}.${e.to.column}`);
  assert.deepEqual(show(graph.upstream({ relation: 'ref:report', column: 'labels' })), [
    'ref:mart.label -transform-> ref:report.labels',
    'ref:stg.kind -transform-> ref:mart.label',
    'raw.events.kind -copy-> ref:stg.kind',
  ]);
  assert.deepEqual(show(graph.downstream({ relation: 'raw.events', column: 'id' })), [
    'raw.events.id -copy-> ref:stg.event_id',
    'ref:stg.event_id -copy-> ref:mart.event_id',
    'ref:mart.event_id -transform-> ref:report.last',
  ]);
  assert.deepEqual(graph.upstream({ relation: 'raw.events', column: 'id' }), []);
});
