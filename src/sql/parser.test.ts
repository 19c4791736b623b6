import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { loadSqlParser, parseSqlOrNull } from './parser.ts';

before(() => loadSqlParser());

test('parseSqlOrNull: a tree for SQL, null for what is not SQL', () => {
  assert.equal(parseSqlOrNull('select 1 as one')?.stmts?.length, 1);
  assert.equal(parseSqlOrNull('select from where ('), null);
});

test('before the parser is loaded, parsing throws: "not loaded" never reads as "not SQL"', () => {
  const probe = `
    const { parseSqlOrNull } = await import(${JSON.stringify(join(import.meta.dirname, 'parser.ts'))});
    try { console.log(JSON.stringify(parseSqlOrNull('select 1'))); } catch (err) { console.log('threw: ' + err.message); }`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^threw: the SQL parser is not loaded/);
});
