import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompiledModel } from '../compile/types.ts';
import { buildStatements } from './statements.ts';

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
const target = { schema: 'gold__b1', name: 'm' };

test('view: one create view in the staging schema', () => {
  assert.deepEqual(buildStatements(model('view'), target, 'select 1 as id'), [{ sql: 'create view "gold__b1"."m" as\nselect 1 as id' }]);
});

test('table: create table as, indexes from config, analyze; rows counted from the create', () => {
  const s = buildStatements(model('table', { indexes: [{ columns: ['a'], unique: false }, { columns: ['b', 'c'], unique: true }] }), target, 'select 1');
  assert.deepEqual(s.map((x) => x.sql), [
    'create table "gold__b1"."m" as\nselect 1',
    'create index on "gold__b1"."m" ("a")',
    'create unique index on "gold__b1"."m" ("b", "c")',
    'analyze "gold__b1"."m"',
  ]);
  assert.equal(s[0]!.rows, 'written');
});

test('ephemeral builds nothing', () => {
  assert.deepEqual(buildStatements(model('ephemeral'), target, 'select 1'), []);
});

test('incremental without a previous table is a full build', () => {
  const s = buildStatements(model('incremental'), target, 'select 1', 'select 2');
  assert.equal(s[0]!.sql, 'create table "gold__b1"."m" as\nselect 1');
});

test('incremental merge: copy the previous batch, delete+insert the delta on the unique key', () => {
  const s = buildStatements(model('incremental', { uniqueKey: ['a', 'b'] }), { ...target, previous: '"gold__b0"."m"' }, 'select full', 'select delta');
  assert.deepEqual(s.map((x) => x.sql), [
    'create table "gold__b1"."m" as table "gold__b0"."m"',
    'create table "gold__b1"."m__strata_delta" as\nselect delta',
    'delete from "gold__b1"."m" as t using "gold__b1"."m__strata_delta" as d where t."a" = d."a" and t."b" = d."b"',
    'insert into "gold__b1"."m" select * from "gold__b1"."m__strata_delta"',
    'drop table "gold__b1"."m__strata_delta"',
    'analyze "gold__b1"."m"',
    'select count(*)::bigint as n from "gold__b1"."m"',
  ]);
  assert.equal(s[1]!.merged, true);
  assert.equal(s.at(-1)!.rows, 'selected');
});
