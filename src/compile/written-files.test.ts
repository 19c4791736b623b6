import assert from 'node:assert/strict';
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadAndCompile } from '../api/compile.ts';
import { WRITTEN_FILES } from './written-files.ts';
import { tempProject } from '../../spec/temp-project.ts';

function project(): string {
  return tempProject('written', {
    'project.yaml': 'name: t\nlayers:\n  core: {materialized: view}\n',
    'models/core/a.sql': 'select 1 as id\n',
    'models/core/b.sql': 'select id from {{ref "a"}}\n',
  });
}

const compile = async (dir: string): Promise<void> => void (await loadAndCompile({ projectDir: dir }));

test('an unchanged compiled file is left alone; one changed by hand, or listed falsely, is written again', async () => {
  const dir = project();
  await compile(dir);
  const a = join(dir, 'target', 'compiled', 'core', 'a.sql');
  const b = join(dir, 'target', 'compiled', 'core', 'b.sql');
  const list = join(dir, 'target', WRITTEN_FILES);
  const wanted = readFileSync(a, 'utf8');
  const wantedB = readFileSync(b, 'utf8');
  assert.match(readFileSync(list, 'utf8'), /^compiled\/core\/a\.sql\t[0-9a-f]{40}\t\d+\t/m);
  const before = statSync(a).mtimeMs;
  await compile(dir);
  assert.equal(statSync(a).mtimeMs, before, 'unchanged: not rewritten');

  // Same size, other text, as an editor leaves it: its stat no longer matches the list.
  writeFileSync(a, wanted.replace('1', '2'));
  await compile(dir);
  assert.equal(readFileSync(a, 'utf8'), wanted);

  // A list that vouches for a file it does not describe only costs a comparison.
  writeFileSync(b, '-- not what compile writes\n');
  const stats = statSync(b);
  const forged = readFileSync(list, 'utf8').replace(/^(compiled\/core\/b\.sql\t[0-9a-f]{40})\t.*$/m, `$1\t${stats.size}\t${stats.mtimeMs + 1}`);
  writeFileSync(list, forged);
  await compile(dir);
  assert.equal(readFileSync(b, 'utf8'), wantedB);

  // A damaged list: every file compared, none lost.
  writeFileSync(list, 'garbage');
  utimesSync(a, new Date(0), new Date(0));
  await compile(dir);
  assert.equal(readFileSync(a, 'utf8'), wanted);
});
