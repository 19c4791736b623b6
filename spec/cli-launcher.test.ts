/**
 * `strata` (bin/strata.mjs) starts from the CLI's bundle cached in node_modules: reused
 * while no source changed, rebuilt when the stamp no longer matches the sources, and
 * mapped back to src/*.ts so that a stack trace names the TypeScript line.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO } from './support.ts';

const CACHE = join(REPO, 'node_modules', '.cache', 'strata', 'cli');
const STAMP = join(CACHE, 'cli.json');
const stampDir = (): string => (JSON.parse(readFileSync(STAMP, 'utf8')) as { dir: string }).dir;
const strata = (...args: string[]): string => execFileSync(process.execPath, [join(REPO, 'bin', 'strata.mjs'), ...args], { encoding: 'utf8' });
const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

test('the bundle is reused while its sources are unchanged, and rebuilt when they are not', () => {
  assert.equal(strata('--version').trim(), version);
  const first = stampDir();
  assert.equal(strata('--version').trim(), version);
  assert.equal(stampDir(), first, 'nothing changed: the same bundle');

  // What an edited source looks like to the launcher: the recorded hash no longer matches.
  const stamp = JSON.parse(readFileSync(STAMP, 'utf8')) as Record<string, unknown>;
  writeFileSync(STAMP, JSON.stringify({ ...stamp, hash: 'an edit since' }));
  assert.equal(strata('--version').trim(), version);
  assert.notEqual(stampDir(), first, 'a stale bundle is built again');

  // A node_modules shared with another checkout (a symlink, a hoisted workspace): the bundle built from its sources is not this one's.
  const second = stampDir();
  const built = JSON.parse(readFileSync(STAMP, 'utf8')) as Record<string, unknown>;
  assert.equal(built.root, REPO);
  writeFileSync(STAMP, JSON.stringify({ ...built, root: '/another/checkout' }));
  assert.equal(strata('--version').trim(), version);
  assert.notEqual(stampDir(), second, "another checkout's bundle is not run");
});

test("the bundle's source maps lead back to src/cli.ts", () => {
  strata('--version');
  const bundle = join(CACHE, stampDir(), 'cli.mjs');
  const lines = readFileSync(bundle, 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes('.version(STRATA_VERSION)'));
  assert.ok(line >= 0, 'the bundle holds the CLI');
  const map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')));
  const entry = map.findEntry(line, lines[line]!.indexOf('version(STRATA_VERSION)'));
  assert.ok('originalSource' in entry, 'mapped');
  const source = readFileSync(join(REPO, 'src', 'cli.ts'), 'utf8').split('\n');
  assert.match(entry.originalSource, /src\/cli\.ts$/);
  assert.match(source[entry.originalLine]!, /\.version\(STRATA_VERSION\)/, 'the mapped line of src/cli.ts is the one bundled');
});
