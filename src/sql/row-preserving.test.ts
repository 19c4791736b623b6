import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { SelectStmt } from 'libpg-query';
import { preservesRows } from './row-preserving.ts';
import { loadSqlParser, parseSql } from './parser.ts';

before(() => loadSqlParser());

const of = (sql: string): boolean => preservesRows((parseSql(sql).stmts![0]!.stmt as { SelectStmt: SelectStmt }).SelectStmt);

test('a filter and projection of one relation keeps each of its rows at most once', () => {
  for (const sql of [
    'select a, b as c from r',
    'select * from r',
    'select r.a from s.r as r where r.b > 1 and exists (select 1 from t where t.a = r.a)',
    'select distinct a from r order by a limit 10',
  ]) assert.equal(of(sql), true, sql);
});

test('anything that can repeat or merge rows does not', () => {
  for (const sql of [
    'select r.a from r join t on t.a = r.a',
    'select a from r, t',
    'select a from r cross join generate_series(1, 2)',
    'select a, generate_series(1, 2) as k from r',
    'select a, unnest(b) from r',
    'select a + 1 as a from r',
    'select a::int2 as a from r',
    'select a from r union all select a from r',
    'select a from r group by a',
    'with x as (select a from r) select a from x',
    'select a from (select a from r) s',
    'select a from generate_series(1, 3) a',
    'select a from r tablesample system (50)',
    'values (1), (1)',
    'select 1 as a',
  ]) assert.equal(of(sql), false, sql);
});
