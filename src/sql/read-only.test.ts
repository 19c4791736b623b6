import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { loadSqlParser } from './parser.ts';
import { refMarker } from '../compile/placeholders.ts';
import { readOnlyProblem } from './read-only.ts';

before(() => loadSqlParser());

test('one SELECT, WITH … SELECT, set operations and refs are reading queries', () => {
  for (const sql of [
    'select 1',
    `with a as (select * from ${refMarker('x')}) select * from a union all select * from a`,
    'select * from (values (1), (2)) v(n) order by n;',
    "select 'update x set y = 1; delete from z' as text_not_sql",
    'with recursive r(n) as (select 1 union all select n + 1 from r where n < 3) select n from r',
  ]) {
    assert.equal(readOnlyProblem(sql), null, sql);
  }
});

test('several statements are refused at the second one', () => {
  const sql = 'select 1;\nupdate amazon.review set rating = 1 where true;\nselect 1';
  const p = readOnlyProblem(sql);
  assert.match(p!.message, /found 3 statements \(the second is UPDATE\)/);
  assert.equal(sql.slice(p!.offset).trimStart().slice(0, 6), 'update');
});

test('a data-modifying CTE is refused wherever it is, with its position', () => {
  for (const [sql, verb] of [
    ['with gone as (delete from amazon.review_image returning *) select * from gone', 'DELETE'],
    ['with a as (select 1), b as (insert into amazon.buyer (buyer_id) values (1) returning *) select * from a', 'INSERT'],
    ["with u as (update amazon.review set rating = 1 returning review_id) select count(*) from u", 'UPDATE'],
    // Upper case, and keywords touching punctuation only: the keyword pre-check must still see them.
    ['WITH g AS(DELETE FROM amazon.review_image RETURNING *)SELECT * FROM g', 'DELETE'],
    ['with m as(merge into amazon.buyer b using (select 1 as id) s on b.buyer_id = s.id when matched then do nothing returning b.*)select 1 from m', 'MERGE'],
  ] as const) {
    const p = readOnlyProblem(sql);
    assert.match(p?.message ?? '', new RegExp(`data-modifying ${verb}`), sql);
    assert.ok(p!.offset > 0, 'points into the WITH clause');
  }
});

test('other statements, SELECT INTO, FOR UPDATE and unreadable SQL are refused', () => {
  assert.match(readOnlyProblem('delete from amazon.review')!.message, /found a DELETE statement/);
  assert.match(readOnlyProblem('create table t as select 1')!.message, /found a CREATE TABLE AS statement/);
  assert.match(readOnlyProblem('select * into t from amazon.review')!.message, /SELECT INTO creates a table/);
  assert.match(readOnlyProblem('select * from amazon.review for update')!.message, /FOR UPDATE/);
  assert.match(readOnlyProblem('select (select 1 from amazon.review for share)')!.message, /FOR UPDATE \/ FOR SHARE/);
  assert.match(readOnlyProblem('SELECT 1 FROM amazon.review FOR NO KEY UPDATE')!.message, /FOR UPDATE/);
  assert.match(readOnlyProblem('select*into"t"from amazon.review')!.message, /SELECT INTO creates a table/);
  assert.match(readOnlyProblem('selec 1')!.message, /^SQL syntax error/);
  assert.match(readOnlyProblem('  -- nothing\n')!.message, /found no statement/);
});
