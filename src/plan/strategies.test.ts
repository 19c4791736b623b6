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
const inputs: Change = { kind: 'inputs', reason: 'input changed: src (rebuilt)' };
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

test('incremental merge: copy the previous batch, delete+insert the delta on the unique key', () => {
  const d = decide(model('incremental', { uniqueKey: ['a', 'b'] }), { previous, change: inputs, keysFrom: '"gold__b1"."k"' });
  assert.equal(d.action, 'merge');
  assert.equal(d.previous, '"gold__b0"."m"');
  assert.deepEqual(d.statements.map((x) => x.sql), [
    'create table "gold__b1"."m" as table "gold__b0"."m"',
    'create table "gold__b1"."m__strata_delta" as\nselect delta',
    'delete from "gold__b1"."m" as t using "gold__b1"."m__strata_delta" as d where t."a" = d."a" and t."b" = d."b"',
    'insert into "gold__b1"."m" select * from "gold__b1"."m__strata_delta"',
    'drop table "gold__b1"."m__strata_delta"',
    'delete from "gold__b1"."m" as t where not exists (select from "gold__b1"."k" as k where k."a" = t."a" and k."b" = t."b")',
    'analyze "gold__b1"."m"',
    'select count(*)::bigint as n from "gold__b1"."m"',
  ]);
  assert.equal(d.statements[1]!.merged, true);
  assert.equal(d.statements.at(-1)!.rows, 'selected');
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
