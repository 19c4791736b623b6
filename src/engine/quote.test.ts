import assert from 'node:assert/strict';
import { test } from 'node:test';
import { qualify, quoteIdent, quoteLiteral, sqlLiteral } from './quote.ts';

test('identifiers are always quoted, inner quotes doubled', () => {
  assert.equal(quoteIdent('order'), '"order"');
  assert.equal(quoteIdent('a"; drop table x; --'), '"a""; drop table x; --"');
  assert.equal(qualify('gold', 'fact'), '"gold"."fact"');
  assert.throws(() => quoteIdent('a\0b'), /NUL/);
});

test('literals survive quotes, semicolons, dollar quotes and backslashes', () => {
  assert.equal(quoteLiteral("it's"), "'it''s'");
  assert.equal(quoteLiteral("x'; drop table t; --"), "'x''; drop table t; --'");
  assert.equal(quoteLiteral('$$ evil $$'), "'$$ evil $$'");
  assert.equal(quoteLiteral('back\\slash'), "E'back\\\\slash'");
  assert.equal(sqlLiteral([1, 'a', true, null]), "1, 'a', true, null");
  assert.throws(() => sqlLiteral(Number.NaN), /finite/);
  assert.throws(() => sqlLiteral({ a: 1 }), /cannot render/);
});

test('a negative number can never form a comment, whatever precedes it', () => {
  assert.equal(sqlLiteral(-1), '(-1)');
  assert.equal(sqlLiteral(-0.5), '(-0.5)');
  assert.equal(sqlLiteral(-12n), '(-12)');
  assert.equal(sqlLiteral(-0), '0');
  assert.equal(sqlLiteral([3, -2]), '3, (-2)');
  for (const v of [-1, -1e-7, -1e21, -5n]) assert.doesNotMatch(`select 5-${sqlLiteral(v)} as x`, /--/);
});
