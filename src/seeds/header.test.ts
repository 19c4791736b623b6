import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHeaderLine } from './header.ts';
import { inferredTypes, inferenceQuery, castExpr } from './infer.ts';

test('CSV header: quoted names, doubled quotes, CRLF, spaces', () => {
  assert.deepEqual(parseHeaderLine('id,name,"a, b","say ""hi"""\r\n1,2,3,4'), ['id', 'name', 'a, b', 'say "hi"']);
  assert.deepEqual(parseHeaderLine(' id , name \n'), ['id', 'name']);
  assert.deepEqual(parseHeaderLine('single'), ['single']);
});

test('type inference picks the narrowest matching type, text when nothing matches', () => {
  const cols = ['a', 'b'];
  // Row shape: c<column>_<check>, checks in order boolean, integer, bigint, numeric, date, timestamptz.
  const row = { c0_0: false, c0_1: false, c0_2: true, c0_3: true, c1_0: false, c1_1: false, c1_2: false, c1_3: false, c1_4: false, c1_5: false };
  assert.deepEqual(inferredTypes(row, cols), ['bigint', 'text']);
  assert.match(inferenceQuery('"s"."t"', cols), /bool_and\("a" ~ /);
  assert.equal(castExpr('x', 'date'), '"x"::date');
  assert.match(castExpr('ok', 'boolean'), /when 'yes' then true/);
});
