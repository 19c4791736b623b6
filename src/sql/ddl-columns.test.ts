import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { loadSqlParser } from './parser.ts';
import { tablesFromDdl } from './ddl-columns.ts';

before(() => loadSqlParser());

test('CREATE TABLE gives the columns with their types, as format_type prints them', () => {
  const tables = tablesFromDdl([
    `create schema shop;
     create table shop.review (id bigserial primary key, rating smallint not null, body text, price numeric(10, 2),
       at timestamptz not null default now(), tags varchar(20)[], constraint r_uq unique (body));
     create table plain (n serial, x "char");`,
  ]);
  assert.deepEqual(tables.get('shop.review'), [
    { name: 'id', type: 'bigint' }, { name: 'rating', type: 'smallint' }, { name: 'body', type: 'text' },
    { name: 'price', type: 'numeric(10,2)' }, { name: 'at', type: 'timestamp with time zone' },
    { name: 'tags', type: 'character varying(20)[]' },
  ]);
  assert.deepEqual(tables.get('plain'), [{ name: 'n', type: 'integer' }, { name: 'x' }]);
});

test('later migrations add, drop, retype and rename columns, rename and drop tables', () => {
  const tables = tablesFromDdl([
    'create table s.a (id int, old text, gone text); create table s.b (id int); create table s.c (id int);',
    `alter table s.a add column extra jsonb, drop column gone, alter column id type bigint;
     alter table s.a rename column old to fresh;
     alter table s.b rename to b2;
     drop table s.c;`,
  ]);
  assert.deepEqual(tables.get('s.a'), [{ name: 'id', type: 'bigint' }, { name: 'fresh', type: 'text' }, { name: 'extra', type: 'jsonb' }]);
  assert.equal(tables.has('s.b'), false);
  assert.deepEqual(tables.get('s.b2'), [{ name: 'id', type: 'integer' }]);
  assert.equal(tables.has('s.c'), false);
});

test('tables built in ways not followed stay unknown; a broken script is skipped', () => {
  const tables = tablesFromDdl([
    'create table s.base (id int); create table s.copy (like s.base); create table s.child (x int) inherits (s.base);',
    'create table s.ok (id int',
  ]);
  assert.deepEqual([...tables.keys()], ['s.base']);
});
