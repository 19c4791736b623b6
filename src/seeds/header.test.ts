import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseHeaderLine } from './header.ts';
import { inferredTypes, inferenceQuery, castExpr } from './infer.ts';
import { createPgliteEngine } from '../engine/pglite.ts';

test('CSV header: quoted names, doubled quotes, CRLF, spaces', () => {
  assert.deepEqual(parseHeaderLine('id,name,"a, b","say ""hi"""\r\n1,2,3,4'), ['id', 'name', 'a, b', 'say "hi"']);
  assert.deepEqual(parseHeaderLine(' id , name \n'), ['id', 'name']);
  assert.deepEqual(parseHeaderLine('single'), ['single']);
});

test('type inference picks the narrowest matching type, text when nothing matches', () => {
  const cols = ['a', 'b'];
  // Row shape: c<column>_<check>, checks in order boolean, integer, bigint, numeric, date, timestamp, timestamptz.
  const row = { c0_0: false, c0_1: false, c0_2: true, c0_3: true, c1_0: false, c1_1: false, c1_2: false, c1_3: false, c1_4: false, c1_5: false };
  assert.deepEqual(inferredTypes(row, cols), ['bigint', 'text']);
  assert.match(inferenceQuery('"s"."t"', cols), /bool_and\("a" ~ /);
  assert.equal(castExpr('x', 'date'), '"x"::date');
  assert.match(castExpr('ok', 'boolean'), /when 'yes' then true/);
});

test('date-times without an offset infer as timestamp (as dbt does), with one as timestamptz', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-infer-'));
  const engine = await createPgliteEngine(join(dir, 'db'));
  try {
    await engine.query(`create table s (naive text, utc text, mixed text, day text)`);
    await engine.query(`insert into s values ('2018-09-01T08:58:00', '2018-09-01T08:58:00Z', '2018-09-01 08:58', '2018-01-01'),
      ('2018-09-02 10:00:00.5', '2018-09-02 10:00:00+02:00', '2018-09-02T10:00:00-05', '2018-01-02')`);
    const cols = ['naive', 'utc', 'mixed', 'day'];
    const { rows } = await engine.query<Record<string, unknown>>(inferenceQuery('s', cols));
    assert.deepEqual(inferredTypes(rows[0]!, cols), ['timestamp', 'timestamptz', 'timestamptz', 'date']);
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
