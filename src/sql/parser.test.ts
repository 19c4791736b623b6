import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { loadSqlParser, parseSqlOrError } from './parser.ts';

before(() => loadSqlParser());

test('parseSqlOrError: a tree for SQL, the parser\'s error (with where it stopped) for what is not SQL', () => {
  const tree = parseSqlOrError('select 1 as one');
  assert.ok(!(tree instanceof Error));
  assert.equal(tree.stmts?.length, 1);
  const error = parseSqlOrError('select from where (');
  assert.ok(error instanceof Error);
  assert.match(error.message, /syntax error/);
  assert.equal(typeof error.sqlDetails.cursorPosition, 'number');
});

test('before the parser is loaded, parsing throws: "not loaded" never reads as "not SQL"', () => {
  const probe = `
    const { parseSqlOrError } = await import(${JSON.stringify(join(import.meta.dirname, 'parser.ts'))});
    try { console.log(JSON.stringify(parseSqlOrError('select 1'))); } catch (err) { console.log('threw: ' + err.message); }`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^threw: the SQL parser is not loaded/);
});
