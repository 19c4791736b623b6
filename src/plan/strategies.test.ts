import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BatchRelation } from '../batch/state.ts';
import type { CompiledModel } from '../compile/types.ts';
import { STRATEGIES } from './plan.ts';
import type { Change, StrategyInput } from './strategies/strategy.ts';

const model = (materialized: CompiledModel['config']['materialized'], extra: Partial<CompiledModel['config']> = {}): CompiledModel => ({
  name: 'm',
  layer: 'gold',
  relPath: 'models/gold/m.sql',
  config: { materialized, uniqueKey: ['id'], tags: [], indexes: [], ...extra },
  refs: [],
  sources: [],
  sql: 'select 1 as id',
  usesIsIncremental: false,
  checksum: 'x',
});
const previous: BatchRelation = { model: 'm', layer: 'gold', publishedSchema: 'gold', physicalSchema: 'gold__b0', kind: 'table', checksum: 'x' };
const input = (m: CompiledModel, over: Partial<StrategyInput> = {}): StrategyInput => ({
  model: m,
  target: { schema: 'gold__b1', name: 'm', relation: '"gold__b1"."m"', batchId: 'b1' },
  previous: undefined,
  change: { kind: 'new' },
  sql: 'select full',
  incrementalSql: () => 'select delta',
  columns: ['id'],
  ...over,
});
const unchanged: Change = { kind: 'unchanged', since: 'b0', from: previous };
const inputs: Change = { kind: 'inputs', reason: 'input changed: src (rebuilt)', inFull: [] };
const decide = (m: CompiledModel, over: Partial<StrategyInput> = {}) => STRATEGIES[m.config.materialized](input(m, over));

test('view: one create view in the staging schema; reused while unchanged', () => {
  const d = decide(model('view'));
  assert.equal(d.action, 'create');
  assert.deepEqual(d.statements, [{ sql: 'create view "gold__b1"."m" as\nselect full' }]);
  assert.deepEqual(decide(model('view'), { previous, change: unchanged }), { action: 'reuse', reason: 'unchanged since batch b0', statements: [] });
  assert.deepEqual([decide(model('view'), { previous, change: inputs }).action, decide(model('view'), { previous, change: inputs }).reason], ['rebuild', 'input changed: src (rebuilt)']);
});

test('table: create table as, indexes from config, analyze; rows counted from the create', () => {
  const d = decide(model('table', { indexes: [{ columns: ['a'], unique: false }, { columns: ['b', 'c'], unique: true }] }), { previous, change: { kind: 'full-refresh' } });
  assert.equal(d.action, 'rebuild');
  assert.deepEqual(d.statements.map((x) => x.sql), [
    'create table "gold__b1"."m" as\nselect full',
    'create index on "gold__b1"."m" ("a")',
    'create unique index on "gold__b1"."m" ("b", "c")',
    'analyze "gold__b1"."m"',
  ]);
  assert.equal(d.statements[0]!.rows, 'written');
});

test('ephemeral builds nothing', () => {
  assert.deepEqual(decide(model('ephemeral')), { action: 'skip', reason: 'ephemeral: inlined into the models that read it as a CTE', statements: [] });
});

test('incremental: first build, --full-refresh and a changed model are full builds, each with its reason; unchanged is reused', () => {
  assert.deepEqual([decide(model('incremental')).action, decide(model('incremental')).statements[0]!.sql], ['create', 'create table "gold__b1"."m" as\nselect full']);
  assert.deepEqual(decide(model('incremental'), { previous, change: { kind: 'full-refresh' } }).reason, '--full-refresh');
  const changed = decide(model('incremental'), { previous, change: { kind: 'definition', reason: 'its SQL changed' } });
  assert.deepEqual([changed.action, changed.reason], ['rebuild', 'its SQL changed']);
  assert.equal(decide(model('incremental'), { previous, change: unchanged }).action, 'reuse');
  const view = decide(model('incremental'), { previous: { ...previous, kind: 'view' }, change: inputs });
  assert.deepEqual([view.action, view.reason], ['rebuild', 'input changed: src (rebuilt); rebuilt in full: the published relation is not a table']);
});

test('incremental merge: the delta, the keys that left keys_from, then the new version in one pass over the previous one', () => {
  const d = decide(model('incremental', { uniqueKey: ['a', 'b'] }), { previous, change: inputs, keysFrom: '"gold__b1"."k"' });
  assert.equal(d.action, 'merge');
  assert.equal(d.previous, '"gold__b0"."m"');
  assert.deepEqual(d.statements.map((x) => x.sql), [
    'create table "gold__b1"."m__strata_delta" as\nselect delta',
    'create table "gold__b1"."m__strata_gone" as\n' +
      'select t."a", t."b" from "gold__b0"."m" as t where not exists (select from "gold__b1"."k" as k where k."a" = t."a" and k."b" = t."b")\n' +
      'union\n' +
      'select d."a", d."b" from "gold__b1"."m__strata_delta" as d where not exists (select from "gold__b1"."k" as k where k."a" = d."a" and k."b" = d."b")',
    'create table "gold__b1"."m" as\n' +
      'select * from "gold__b0"."m" as t\n' +
      'where not exists (select from "gold__b1"."m__strata_delta" as d where d."a" = t."a" and d."b" = t."b") and not exists (select from "gold__b1"."m__strata_gone" as g where g."a" = t."a" and g."b" = t."b")\n' +
      'union all\n' +
      'select * from "gold__b1"."m__strata_delta" as d where not exists (select from "gold__b1"."m__strata_gone" as g where g."a" = d."a" and g."b" = d."b")',
    'drop table "gold__b1"."m__strata_delta"',
    'drop table "gold__b1"."m__strata_gone"',
    'analyze "gold__b1"."m"',
  ]);
  assert.equal(d.statements[0]!.merged, true);
  assert.equal(d.statements[1]!.deleted, true);
  assert.equal(d.statements[2]!.rows, 'written');
});

test('incremental: an input changed in full (a seed, a model whose SQL changed) rebuilds instead of merging', () => {
  const d = decide(model('incremental'), { previous, change: { kind: 'inputs', reason: 'input changed: lexicon (rebuilt)', inFull: ['lexicon'] } });
  assert.deepEqual([d.action, d.reason], ['rebuild', 'input changed: lexicon (rebuilt); rebuilt in full: lexicon may have changed every row']);
});

test('snapshot: appends to its history table and publishes a view as of the batch', () => {
  const snap = model('snapshot', { snapshot: { strategy: 'check', checkCols: ['v'] } });
  assert.equal(decide(snap, { previous, change: unchanged }).action, 'reuse');
  assert.equal(decide(snap).action, 'create');
  const d = decide(snap, { previous, change: inputs, columns: ['id', 'v', 'valid_from', 'valid_to'] });
  assert.equal(d.action, 'merge');
  assert.ok(d.statements.some((s) => s.sql.startsWith('insert into "strata_snapshots"."m" ("id", "v", valid_from')), 'the added columns are not the model\'s');
  assert.ok(d.statements.some((s) => s.sql.startsWith('create view "gold__b1"."m"')));
});
