import assert from 'node:assert/strict';
import { test } from 'node:test';
import { qualify, quoteIdent, quoteLiteral, sqlLiteral } from './quote.ts';
import { connectionSettings, maskSecrets } from './url.ts';

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

test('passwords in URLs are masked wherever they appear', () => {
  assert.equal(maskSecrets('connect postgres://etl:s3cr%40t@host:5432/db failed'), 'connect postgres://etl:****@host:5432/db failed');
  assert.equal(maskSecrets('postgresql://u:p@h/d and postgres://v:q@i/e'), 'postgresql://u:****@h/d and postgres://v:****@i/e');
  assert.equal(maskSecrets('postgres://nopass@h/d'), 'postgres://nopass@h/d');
});

test('TLS: remote hosts without sslmode require TLS; local ones do not; bad values are refused', () => {
  assert.equal(connectionSettings('postgres://u:p@ep-x.neon.tech/db').sslmode, 'require');
  assert.equal(connectionSettings('postgres://u@127.0.0.1/db').sslmode, 'disable');
  assert.equal(connectionSettings('postgres://u@localhost/db?sslmode=verify-full').sslmode, 'verify-full');
  assert.equal(connectionSettings('postgres://u@h/db?channel_binding=require').channelBinding, 'require');
  assert.throws(() => connectionSettings('postgres://u@h/db?sslmode=sometimes'), /sslmode=sometimes/);
  assert.throws(() => connectionSettings('mysql://u@h/db'), /postgres:\/\//);
  assert.throws(() => connectionSettings('postgres://u:hunter2@h:notaport/db'), (e: Error) => !e.message.includes('hunter2'));
});
