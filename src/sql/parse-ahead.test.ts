import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { threadNiceValues as niceValues } from '../../spec/support/threads.ts';
import { tempProject } from '../../spec/temp-project.ts';
import { compileProject, PARSE_AHEAD_FROM } from '../api/compile.ts';
import { analyzeModel, type Catalog } from './analyze.ts';
import { parseableSql } from './model-sql.ts';
import { ParseAhead } from './parse-ahead.ts';
import { loadSqlParser, parseSql, parseSqlOrError } from './parser.ts';

before(() => loadSqlParser());

const sqls = [
  ...Array.from({ length: 200 }, (_, i) => `select ${i} as id, 'it''s ${i}' as label, now() - interval '${i} days' as at from "\u0001ref:m${i}\u0001" r where r.x > ${i}`),
  'select from where (',
  'with gone as (delete from amazon.review returning review_id) select * from gone',
  'select \'naïve — ünïcode 🙂\' as text',
];
// Two models may render the same SQL: each is answered.
sqls.push(sqls[0]!);
/** The texts by model, in the order they are asked for (as the compile gives them: parseable SQL). */
const byModel = (list: string[]): Map<string, { text: string }> => new Map(list.map((text, i) => [`m${i}`, { text }]));
const texts = byModel(sqls);

test('the trees parsed ahead are the parser\'s own; what does not parse, or was not given, is left to the main thread', async () => {
  const ahead = ParseAhead.start();
  assert.ok(ahead, 'a worker starts');
  ahead.parse(texts);
  await ahead.finished();
  for (const [model, { text }] of texts) {
    const own = parseSqlOrError(text);
    const taken = ahead.take(model);
    if (own instanceof Error) assert.equal(taken, undefined, 'not SQL: parsed here again, for the error');
    else assert.deepEqual(taken, own);
  }
  assert.equal(ahead.take('m0'), undefined, 'each model is answered once');
  assert.equal(ahead.take('other'), undefined, 'a model it was not given');
  await ahead.close();
});

test('the real project\'s models (review_features\' long SQL among them): the worker\'s trees are the parser\'s own', async () => {
  const { compiled } = compileProject({ projectDir: join(import.meta.dirname, '..', '..'), writeArtifacts: false });
  const real = new Map([...compiled.models].map(([name, m]) => [name, parseableSql(m.sql)]));
  assert.ok(real.size >= 20 && real.get('review_features')!.text.length > 5000);
  const ahead = ParseAhead.start()!;
  ahead.parse(real);
  await ahead.finished();
  for (const [model, { text }] of real) assert.deepEqual(ahead.take(model), parseSql(text), model);
  await ahead.close();
});

test('the worker skips the texts the main thread has passed', async () => {
  const ahead = ParseAhead.start()!;
  ahead.parse(texts);
  const models = [...texts.keys()];
  // Asked for before the worker could parse anything: parsed here, and everything before it passed.
  assert.equal(ahead.take(models.at(-1)!), undefined);
  await ahead.finished();
  const taken = models.slice(0, -1).filter((m) => ahead.take(m) !== undefined);
  assert.ok(taken.length <= 1, `${taken.length} trees parsed after the main thread passed them`);
  await ahead.close();
});

test('the worker parses only so far ahead of the main thread: what it posted waits in memory', async () => {
  const many = byModel(Array.from({ length: 2000 }, (_, i) => `select ${i} as id`));
  const bound = 50_000;
  const tree = JSON.stringify(parseSql('select 1000 as id')).length;
  const ahead = ParseAhead.start(bound)!;
  ahead.parse(many);
  const until = Date.now() + 20_000;
  while (ahead.waiting().chars < bound && Date.now() < until) await delay(20);
  const { trees, chars } = ahead.waiting();
  assert.ok(chars >= bound && chars < bound + 2 * tree, `it parsed up to its bound: ${trees} trees, ${chars} characters`);
  await delay(500);
  assert.deepEqual(ahead.waiting(), { trees, chars }, 'and no further while nothing was asked for');
  assert.ok(ahead.take('m0'), 'the first tree');
  assert.equal(ahead.take(`m${many.size - 1}`), undefined, 'the last, far ahead: parsed here');
  await ahead.finished();
  await ahead.close();
});

test(`a compile of ${PARSE_AHEAD_FROM} models parses ahead and still finds, at their lines, SQL that does not parse or writes`, () => {
  const files: Record<string, string> = { 'project.yaml': 'name: many\nlayers:\n  core: {materialized: view}\n' };
  for (let i = 0; i < PARSE_AHEAD_FROM; i++) files[`models/core/m${i}.sql`] = i === 0 ? 'select 1 as id, 2 as x\n' : `-- model ${i}\nselect id, x + ${i} as x from {{ref "m${i - 1}"}}\n`;
  const dir = tempProject('parse-ahead', files);
  const result = compileProject({ projectDir: dir, writeArtifacts: false });
  assert.equal(result.analyses.size, PARSE_AHEAD_FROM);
  assert.deepEqual(result.analyses.get(`m${PARSE_AHEAD_FROM - 1}`)!.columns!.map((c) => c.name), ['id', 'x']);
  // Each analysis is the one made from the main thread's own parse.
  const columnsOf: Catalog = (r) => (r.kind === 'ref' ? result.analyses.get(r.name)?.columns?.map((c) => ({ name: c.name, type: c.type })) : undefined);
  for (const m of ['m1', 'm1000', `m${PARSE_AHEAD_FROM - 1}`]) assert.deepEqual(result.analyses.get(m), analyzeModel(result.compiled.models.get(m)!.sql, columnsOf));
  writeFileSync(join(dir, 'models/core/m1200.sql'), '-- model 1200\nselect id, x from {{ref "m1199"}} where (\n');
  writeFileSync(join(dir, 'models/core/m1800.sql'), '-- model 1800\nwith gone as (delete from amazon.review returning 1) select id, x from {{ref "m1799"}}\n');
  assert.throws(
    () => compileProject({ projectDir: dir, writeArtifacts: false }),
    (err: Error) => /models\/core\/m1200\.sql:2:\d+: SQL syntax error/.test(err.message) && /models\/core\/m1800\.sql:2:\d+: .*DELETE/.test(err.message),
  );
  assert.ok(parseSql('select 1'), 'the main thread\'s parser still works');
});

test('the worker parses on the CPU the main thread leaves: its thread has the lowest priority', { skip: process.platform !== 'linux' && 'threads have their own nice value on Linux only' }, async () => {
  const before = niceValues();
  const ahead = ParseAhead.start(10_000)!;
  // More than it parses ahead: it stays, waiting for the main thread to ask.
  ahead.parse(byModel(Array.from({ length: 1000 }, (_, i) => `select ${i} as id`)));
  const until = Date.now() + 20_000;
  while (ahead.waiting().trees === 0 && Date.now() < until) await delay(20);
  const started = [...niceValues()].filter(([tid]) => !before.has(tid));
  assert.ok(started.some(([, nice]) => nice === 19), `nice values of the threads started: ${started.map(([, n]) => n).join(', ')}`);
  assert.equal(niceValues().get(process.pid), before.get(process.pid), 'the main thread keeps its own');
  await ahead.close();
});
