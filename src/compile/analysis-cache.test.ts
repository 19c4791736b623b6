import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { compileProject, loadAndCompile, loadSqlParser } from '../api/compile.ts';
import type { ModelAnalysis } from '../sql/analyze.ts';
import { createHash } from 'node:crypto';
import { ANALYSIS_CACHE_FILE } from './analysis-cache.ts';
import { tempProject } from '../../spec/temp-project.ts';

before(() => loadSqlParser());

function project(): string {
  const files: Record<string, string> = {
    'project.yaml': 'name: t\nlayers:\n  core: {materialized: view}\n',
    'models/core/a.sql': 'select 1 as id, 2 as x\n',
    'models/core/b.sql': 'select id, x from {{ref "a"}}\n',
  };
  return tempProject('analysis-cache', files);
}

/**
 * The file as lines: the analyzer's header, then per model `[model, sql, inputs, analysis]`
 * and, after a tab, the manifest's output columns' JSON.
 */
interface CacheLines {
  header: { analyzer: string; format?: number };
  models: Map<string, { sql: string; inputs: string; analysis: ModelAnalysis; outputColumns: string }>;
}
function readCache(path: string): CacheLines {
  const [first, ...rest] = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  const models: CacheLines['models'] = new Map();
  for (const line of rest) {
    const [head, outputColumns] = line.split('\t') as [string, string];
    const [model, sql, inputs, analysis] = JSON.parse(head) as [string, string, string, ModelAnalysis];
    models.set(model, { sql, inputs, analysis, outputColumns });
  }
  return { header: JSON.parse(first!) as CacheLines['header'], models };
}
function writeCache(path: string, file: CacheLines): void {
  const lines = [...file.models].map(([m, e]) => [JSON.stringify([m, e.sql, e.inputs, e.analysis]), e.outputColumns].join('\t'));
  writeFileSync(path, [JSON.stringify(file.header), ...lines].join('\n') + '\n');
}

const columns = (dir: string, model: string): string[] =>
  compileProject({ projectDir: dir, writeArtifacts: false, analysisCache: true }).analyses.get(model)!.columns!.map((c) => c.name);

test('an unchanged model keeps its analysis; a model whose input columns changed is analyzed again', () => {
  const dir = project();
  assert.deepEqual(columns(dir, 'b'), ['id', 'x']);
  const path = join(dir, 'target', ANALYSIS_CACHE_FILE);
  const written = statSync(path).mtimeMs;
  assert.deepEqual(columns(dir, 'b'), ['id', 'x']);
  assert.equal(statSync(path).mtimeMs, written, 'nothing changed: the file is not rewritten');

  // What the file says of a is what compile now believes (a's SQL did not change), and b,
  // whose input is no longer what it was, is read again against it.
  const file = readCache(path);
  file.models.get('a')!.analysis.columns![1]!.name = 'y';
  writeCache(path, file);
  assert.throws(() => columns(dir, 'b'), /column `x` does not exist|does not produce/);

  // Edited SQL is never answered from the file.
  writeFileSync(join(dir, 'models/core/a.sql'), 'select 1 as id, 2 as x, 3 as z\n');
  assert.deepEqual(columns(dir, 'a'), ['id', 'x', 'z']);
});

test('a damaged file, or one from another analyzer, is ignored', () => {
  const dir = project();
  assert.deepEqual(columns(dir, 'b'), ['id', 'x']);
  const path = join(dir, 'target', ANALYSIS_CACHE_FILE);
  const file = readCache(path);
  file.models.get('a')!.analysis.columns![1]!.name = 'y';
  writeCache(path, { ...file, header: { analyzer: 'another' } });
  assert.deepEqual(columns(dir, 'a'), ['id', 'x']);
  writeFileSync(path, '{"analyzer":');
  assert.deepEqual(columns(dir, 'a'), ['id', 'x']);
  // A damaged line: that model is analyzed again, the others kept.
  writeCache(path, file);
  writeFileSync(path, readFileSync(path, 'utf8').replace('"a",', '"a",,'));
  assert.deepEqual(columns(dir, 'a'), ['id', 'x']);
  assert.equal(readCache(path).models.get('a')!.analysis.columns![1]!.name, 'x', 'rewritten');
});

test('without the option, target/ is neither read nor written', () => {
  const dir = project();
  compileProject({ projectDir: dir, writeArtifacts: false });
  assert.throws(() => statSync(join(dir, 'target', ANALYSIS_CACHE_FILE)), /ENOENT/);
});

test('an entry in the file never lets a writing model through: the parser checks every model', () => {
  const dir = project();
  assert.deepEqual(columns(dir, 'b'), ['id', 'x']);
  // A forged entry for SQL that deletes the shop's rows, with the hash of the SQL as rendered (trimmed).
  const sql = 'with gone as (delete from amazon.review returning review_id) select 1 as id, 2 as x from gone';
  writeFileSync(join(dir, 'models/core/a.sql'), `${sql}\n`);
  const path = join(dir, 'target', ANALYSIS_CACHE_FILE);
  const file = readCache(path);
  file.models.get('a')!.sql = createHash('sha1').update(sql).digest('hex');
  writeCache(path, file);
  assert.throws(() => columns(dir, 'a'), /data-modifying DELETE/);
});

test('a kept analysis is the fresh one, references and all', () => {
  const dir = project();
  writeFileSync(join(dir, 'models/core/b.sql'), 'select b.id, a.x from {{ref "a"}} a join {{ref "a"}} b using (id) where a.x > 1\n');
  const analyses = (): Map<string, ModelAnalysis> => compileProject({ projectDir: dir, writeArtifacts: false, analysisCache: true }).analyses;
  const fresh = analyses();
  const kept = analyses();
  assert.ok(Object.getOwnPropertyDescriptor(kept.get('b')!, 'references')!.get, 'the second analysis came from the file');
  const lines = readFileSync(join(dir, 'target', ANALYSIS_CACHE_FILE), 'utf8').trim().split('\n').slice(1);
  assert.deepEqual(lines.map((l) => l.split('\t').length), [2, 2], 'analysis and output columns: the references are not kept but found again');
  assert.ok(fresh.get('b')!.references.length > 3);
  assert.deepEqual(kept, fresh);
  assert.deepEqual(JSON.parse(JSON.stringify([...kept])), JSON.parse(JSON.stringify([...fresh])));
  assert.deepEqual({ ...kept.get('b')! }, { ...fresh.get('b')! });
});

test('after an edit, the unchanged models\' lines are written back as they were, and the earlier JSON file goes', () => {
  const dir = project();
  columns(dir, 'b');
  const path = join(dir, 'target', ANALYSIS_CACHE_FILE);
  const lineOf = (model: string): string => readFileSync(path, 'utf8').split('\n').find((l) => l.startsWith(JSON.stringify([model]).slice(0, -1) + ','))!;
  const before = lineOf('a');
  writeFileSync(join(dir, 'target', 'sql-analyses.json'), '{}');
  writeFileSync(join(dir, 'models/core/b.sql'), 'select x, id from {{ref "a"}}\n');
  assert.deepEqual(columns(dir, 'b'), ['x', 'id']);
  assert.equal(lineOf('a'), before);
  assert.match(lineOf('b'), /^\["b",.*\t\[.*\]$/);
  assert.throws(() => statSync(join(dir, 'target', 'sql-analyses.json')), /ENOENT/);
});

test('the manifest written from kept analyses is byte for byte the one written from fresh ones', async () => {
  const dir = project();
  writeFileSync(join(dir, 'models/core/b.sql'), 'select b.id, a.x::text as x_text, a.x + b.x as total, 1 as one from {{ref "a"}} a join {{ref "a"}} b using (id)\n');
  const manifest = (): string => readFileSync(join(dir, 'target', 'manifest.json'), 'utf8').replace(/"generated_at":"[^"]*"/, '');
  const fresh = await loadAndCompile({ projectDir: dir });
  const written = manifest();
  assert.match(written, /"output_columns":\[\{"name":"id".*"lineage":\{"kind":"copy"/);
  const kept = await loadAndCompile({ projectDir: dir });
  assert.ok(Object.getOwnPropertyDescriptor(kept.analyses.get('b')!, 'references')!.get, 'the second analysis came from the file');
  assert.equal(manifest(), written);
  assert.deepEqual(kept.analyses.get('b')!.columns, fresh.analyses.get('b')!.columns);
  assert.equal(kept.analyses.get('b')!.columns![1]!.lineage!.kind, 'cast');
});

test('a line whose kept output columns are damaged is analyzed again, and manifest.json stays JSON', async () => {
  const dir = project();
  await loadAndCompile({ projectDir: dir });
  const path = join(dir, 'target', ANALYSIS_CACHE_FILE);
  const file = readCache(path);
  file.models.get('b')!.outputColumns = '[{"name":"id"'; // cut short
  writeCache(path, file);
  const kept = await loadAndCompile({ projectDir: dir });
  assert.equal(Object.getOwnPropertyDescriptor(kept.analyses.get('b')!, 'references')!.get, undefined, 'b was analyzed afresh');
  const manifest = JSON.parse(readFileSync(join(dir, 'target', 'manifest.json'), 'utf8')) as { nodes: Record<string, { output_columns: { name: string }[] }> };
  assert.deepEqual(manifest.nodes.b!.output_columns.map((c) => c.name), ['id', 'x']);
});
