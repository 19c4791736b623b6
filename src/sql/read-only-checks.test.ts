import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { compileProject } from '../api/compile.ts';
import { ProjectError } from '../core/errors.ts';
import { loadSqlParser } from './parser.ts';
import { PARALLEL_CHECK_MIN_MODELS, ReadOnlyChecks } from './read-only-checks.ts';
import { readOnlyProblem } from './read-only.ts';

before(() => loadSqlParser());

/** Pieces of models, reading and writing ones, with the keywords hidden in comments, strings and names too. */
const PIECES = [
  'select 1',
  'select * from amazon.review',
  "select 'update x; delete from y' as s",
  'select 1 as "insert"',
  'select 1 -- delete from amazon.review\n',
  'with a as (select 1) select * from a',
  'with gone as (delete from amazon.review_image returning *) select * from gone',
  'with u as (update amazon.review set rating = 1 returning 1) select 1 from u',
  'select * into copied from amazon.review',
  'select * from amazon.review for update',
  'select * from amazon.review for key share',
  'insert into amazon.buyer values (1)',
  'drop table amazon.review',
  'select from where',
  ';',
  ' union all select 2',
  '\n',
];

/** Starts the worker and lets it check every model (it claims from the end; given time, it takes them all). */
async function checkedByWorker(sqls: string[]): Promise<ReadOnlyChecks> {
  const checks = ReadOnlyChecks.start();
  assert.ok(checks, 'the worker starts');
  checks.check(sqls);
  await checks.settled();
  return checks;
}

test('the worker passes exactly the models the main thread passes, whatever their SQL', async () => {
  const sqls = fc.sample(fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 4 }).map((p) => p.join(' ')), { numRuns: 400, seed: 17 });
  const checks = await checkedByWorker(sqls);
  try {
    const verdicts = sqls.map((_, i) => checks.verdict(i));
    assert.ok(verdicts.includes('reads-only') && verdicts.includes('check-here'), 'both kinds among the samples');
    for (const [i, sql] of sqls.entries()) {
      assert.equal(verdicts[i], readOnlyProblem(sql) ? 'check-here' : 'reads-only', sql);
    }
  } finally {
    checks.stop();
  }
});

test('the main thread checks what it claims first, and what a stopped worker leaves', () => {
  const checks = ReadOnlyChecks.start();
  assert.ok(checks);
  checks.stop();
  checks.check(['select 1', 'delete from amazon.review']);
  // Claimed here before the worker could: the caller runs the check itself.
  assert.deepEqual([checks.verdict(0), checks.verdict(1)], ['check-here', 'check-here']);
});

test(`a project of ${PARALLEL_CHECK_MIN_MODELS} models: a writing model is refused on either thread`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-parallel-check-'));
  try {
    mkdirSync(join(dir, 'models', 'core'), { recursive: true });
    writeFileSync(join(dir, 'project.yaml'), 'name: many\nlayers:\n  core: {materialized: view}\n');
    const n = PARALLEL_CHECK_MIN_MODELS;
    for (let i = 0; i < n; i++) writeFileSync(join(dir, 'models', 'core', `m${i}.sql`), i === 0 ? 'select 1 as id' : `select id from {{ref "m${i - 1}"}}`);
    // The first model in dependency order is the main thread's, the last the worker's.
    writeFileSync(join(dir, 'models', 'core', 'm0.sql'), 'with g as (delete from amazon.review returning 1) select 1 as id from g');
    writeFileSync(join(dir, 'models', 'core', `m${n - 1}.sql`), `select id from {{ref "m${n - 2}"}} for update`);
    assert.throws(() => compileProject({ projectDir: dir, writeArtifacts: false }), (err: unknown) => {
      assert.ok(err instanceof ProjectError);
      const text = err.message;
      assert.match(text, /m0\.sql[\s\S]*data-modifying DELETE/);
      assert.match(text, new RegExp(`m${n - 1}\\.sql[\\s\\S]*FOR UPDATE`));
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
