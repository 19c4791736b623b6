import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { compileProject, loadSqlParser } from '../api/compile.ts';
import { analyzerId } from '../sql/analyzer-id.ts';
import { ANALYSIS_CACHE_FILE } from './analysis-cache.ts';
import { ReadVerdicts } from './read-verdicts.ts';
import { tempProject } from '../../spec/temp-project.ts';

before(() => loadSqlParser());

// The store is the real one beside the parser, shared with every compile of this checkout:
// each test's SQL holds a fresh name, so no verdict of another run can answer for it.
const unique = (): string => `x_${randomUUID().replaceAll('-', '')}`;

function project(a: string): string {
  const files: Record<string, string> = {
    'project.yaml': 'name: t\nlayers:\n  core: {materialized: view}\n',
    'models/core/a.sql': `${a}\n`,
  };
  return tempProject('read-verdicts', files);
}

const compile = (dir: string): string[] =>
  compileProject({ projectDir: dir, writeArtifacts: false, analysisCache: true }).analyses.get('a')!.columns!.map((c) => c.name);
/** The verdict's key, computed here apart from the store's own code: the analyzer's id and the SQL as rendered. */
const key = (sql: string): string => createHash('sha256').update(analyzerId()).update('\0').update(sql).digest('hex');
const store = (): string => ReadVerdicts.location(analyzerId())!;
const kept = (): Set<string> => new Set(readFileSync(store(), 'latin1').split('\n'));

/** Makes target/sql-analyses.tsv claim model a's kept analysis is one of `sql`, as a forger would. */
function forgeAnalysis(dir: string, sql: string): void {
  const path = join(dir, 'target', ANALYSIS_CACHE_FILE);
  // Model a's line: `["a","<sha1 of its SQL>",…` (compile/analysis-cache.ts).
  const text = readFileSync(path, 'utf8');
  const forged = text.replace(/^\["a","[0-9a-f]{40}"/m, `["a","${createHash('sha1').update(sql).digest('hex')}"`);
  assert.notEqual(forged, text);
  writeFileSync(path, forged);
}

test('a reading model leaves its verdict beside the parser, never in target/', () => {
  const col = unique();
  const sql = `select 1 as id, 2 as ${col}`;
  const dir = project(sql);
  assert.deepEqual(compile(dir), ['id', col]);
  assert.ok(store().includes(`${join('node_modules', '.cache', 'strata', 'read-only')}`), store());
  assert.ok(kept().has(key(sql)));
  // Nothing under target/ carries it: what is there cannot vouch for a model.
  for (const f of readdirSync(join(dir, 'target'), { recursive: true }) as string[]) {
    let text = '';
    try {
      text = readFileSync(join(dir, 'target', f), 'latin1');
    } catch {
      continue; // a folder
    }
    assert.ok(!text.includes(key(sql)), f);
  }
});

test('an edited model is parsed again: a forged target/ cannot let a writing model through', () => {
  const col = unique();
  const dir = project(`select 1 as id, 2 as ${col}`);
  compile(dir);
  compile(dir); // its verdict and analysis are now both kept
  // The model now deletes the shop's rows; target/ claims the analysis of that very SQL.
  const writing = `with gone as (delete from amazon.review returning review_id) select 1 as id, 2 as ${col} from gone`;
  writeFileSync(join(dir, 'models/core/a.sql'), `${writing}\n`);
  forgeAnalysis(dir, writing);
  assert.throws(() => compile(dir), /data-modifying DELETE/);
  assert.ok(!kept().has(key(writing)), 'a refused model leaves no verdict');
  assert.throws(() => compile(dir), /data-modifying DELETE/, 'and is refused every time');
  // A file in target/ named and shaped like the store is not read either.
  writeFileSync(join(dir, 'target', 'read-only.txt'), `${key(writing)}\n`);
  mkdirSync(join(dir, 'target', '.cache', 'strata', 'read-only'), { recursive: true });
  writeFileSync(join(dir, 'target', '.cache', 'strata', 'read-only', store().split('/').pop()!), `${key(writing)}\n`);
  assert.throws(() => compile(dir), /data-modifying DELETE/);
});

/**
 * A project whose model a was compiled reading, then edited to delete the shop's rows, with
 * target/ forged to claim the analysis of that very SQL: only a verdict can let it through.
 */
function editedToDelete(): { dir: string; col: string; writing: string } {
  const col = unique();
  const dir = project(`select 1 as id, 2 as ${col}`);
  compile(dir);
  const writing = `with gone as (delete from amazon.review returning review_id) select 1 as id, 2 as ${col} from gone`;
  writeFileSync(join(dir, 'models/core/a.sql'), `${writing}\n`);
  forgeAnalysis(dir, writing);
  return { dir, col, writing };
}

test('an unchanged model is not parsed: the verdict beside the parser is all that is asked', () => {
  // Only someone who can write node_modules (and so replace the parser) can plant a verdict:
  // planted there for a writing model whose analysis target/ claims, it is believed. This
  // shows the parse really is skipped, and that target/ alone is never enough (above).
  const { dir, col, writing } = editedToDelete();
  // A verdict of another analyzer (another parser, or src/sql/ changed) is not this one's.
  appendFileSync(store(), `${createHash('sha256').update('libpg-query 0.0.0 another').update('\0').update(writing).digest('hex')}\n`);
  assert.throws(() => compile(dir), /data-modifying DELETE/);
  appendFileSync(store(), `${key(writing)}\n`);
  assert.deepEqual(compile(dir), ['id', col]);
});

test('a damaged line in the store is skipped, not read as a verdict', () => {
  const { dir, writing } = editedToDelete();
  // Two lines run together (a crash between a write and its newline), one with a stray character.
  appendFileSync(store(), `${key(writing)}${key('select 1')}\n${key(writing)} \n ${key(writing)}\n`);
  assert.throws(() => compile(dir), /data-modifying DELETE/);
});

test('each SQL is kept under its own key, whatever was asked just before', () => {
  const [a, b] = [`select 1 as ${unique()}`, `select 2 as ${unique()}`];
  const verdicts = ReadVerdicts.open();
  assert.equal(verdicts.reads(a), false);
  verdicts.keep(b);
  verdicts.keep(a);
  assert.equal(verdicts.reads(b), true);
  verdicts.write();
  assert.ok(kept().has(key(a)) && kept().has(key(b)));
});
