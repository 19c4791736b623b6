import assert from 'node:assert/strict';
import fs, { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { compileCommand, type CompileCommandResult } from '../api/compile-command.ts';
import { compileProject, loadSqlParser } from '../api/compile.ts';
import { ProjectError } from '../core/errors.ts';
import { COMPILE_INPUTS, COMPILE_INPUTS_FILE } from './up-to-date.ts';
import { tempProject } from '../../spec/temp-project.ts';

const REPO = join(import.meta.dirname, '..', '..');

/** Every file of a small project, one per kind of input compile reads. */
const FILES: Record<string, string> = {
  'project.yaml': 'name: t\nlayers:\n  core: {materialized: view}\nvars:\n  top: 3\n',
  'models/core/a.sql': 'select 1 as id, {{var "top"}} as top\n',
  'models/core/b.sql': 'select id, {{> twice x="id"}} as two from {{ref "a"}}\n',
  'models/core/schema.yml': 'models:\n  - name: b\n    columns:\n      - name: id\n        tests: [not_null]\n',
  'models/core/docs.md': '{% docs b %}the b model{% enddocs %}\n',
  'models/core/z.sql': 'select 1 as z\n',
  'macros/twice.sql': '{{x}} * 2',
  'selectors.yml': 'selectors:\n  - name: only_a\n    definition: a\n',
};

/** Files older than the "racy" window: a compile right after writing them keeps nothing. */
function age(dir: string): void {
  const old = Date.now() / 1000 - 60;
  for (const f of readdirSync(dir, { recursive: true })) {
    const path = join(dir, String(f));
    if (!path.startsWith(join(dir, 'target'))) utimesSync(path, old, old);
  }
}

function project(files: Record<string, string> = FILES): string {
  const dir = tempProject('up-to-date', files);
  age(dir);
  return dir;
}

const BUILD = '/tmp/strata-test-build';
const compile = (dir: string, opts: { vars?: string; partialParse?: boolean; build?: string } = {}): Promise<CompileCommandResult> =>
  compileCommand({ projectDir: dir, ...(opts.vars ? { vars: opts.vars } : {}) }, {}, { partialParse: opts.partialParse ?? true, build: opts.build ?? BUILD });

/** mtime of every file under target/ except the record itself. */
function targetTimes(dir: string): Map<string, number> {
  const t = join(dir, 'target');
  return new Map(readdirSync(t, { recursive: true }).map(String).filter((f) => f !== COMPILE_INPUTS_FILE && statSync(join(t, f)).isFile()).map((f) => [f, statSync(join(t, f)).mtimeMs]));
}

test('a compile with nothing changed since the last is its result again, and writes nothing', async () => {
  await loadSqlParser();
  const dir = project();
  const first = await compile(dir);
  assert.equal(first.upToDate, false);
  assert.ok(existsSync(join(dir, 'target', COMPILE_INPUTS_FILE)));
  const before = targetTimes(dir);
  const again = await compile(dir);
  assert.equal(again.upToDate, true);
  assert.deepEqual({ ...again, ms: null, upToDate: null }, { ...first, ms: null, upToDate: null }, 'the same summary');
  assert.deepEqual(targetTimes(dir), before, 'no file of target/ rewritten');
  assert.equal((await compile(dir, { partialParse: false })).upToDate, false, '--no-partial-parse compiles anyway');
});

test('any change to what compile reads, or to what it wrote, compiles again', async () => {
  await loadSqlParser();
  const changes: [string, (dir: string) => void][] = [
    ['a model edited, same size', (d) => writeFileSync(join(d, 'models/core/a.sql'), 'select 2 as id, {{var "top"}} as top\n')],
    ['a model added', (d) => writeFileSync(join(d, 'models/core/c.sql'), 'select 1 as x\n')],
    ['a model removed', (d) => rmSync(join(d, 'models/core/z.sql'))],
    ['project.yaml', (d) => writeFileSync(join(d, 'project.yaml'), FILES['project.yaml']!.replace('top: 3', 'top: 4'))],
    ['a macro', (d) => writeFileSync(join(d, 'macros/twice.sql'), '{{x}} * 3')],
    ['a schema file', (d) => writeFileSync(join(d, 'models/core/schema.yml'), FILES['models/core/schema.yml']!.replace('not_null', 'unique'))],
    ['a doc block', (d) => writeFileSync(join(d, 'models/core/docs.md'), '{% docs b %}the B model{% enddocs %}\n')],
    ['selectors.yml', (d) => writeFileSync(join(d, 'selectors.yml'), FILES['selectors.yml']!.replace('definition: a', 'definition: b'))],
    ['.env created', (d) => writeFileSync(join(d, '.env'), 'REGION=eu\n', { mode: 0o600 })],
    ['a migration added', (d) => (mkdirSync(join(d, 'migrations')), writeFileSync(join(d, 'migrations/1_t.sql'), 'create table t (x int);\n'))],
    ['a singular test added', (d) => (mkdirSync(join(d, 'tests')), writeFileSync(join(d, 'tests/no_rows.sql'), 'select * from {{ref "a"}} where id < 0\n'))],
    ['a compiled file deleted', (d) => rmSync(join(d, 'target/compiled/core/a.sql'))],
    ['a compiled file edited', (d) => writeFileSync(join(d, 'target/compiled/core/b.sql'), '-- mine\n')],
    ['manifest.json deleted', (d) => rmSync(join(d, 'target/manifest.json'))],
    ['the list of compiled files deleted', (d) => rmSync(join(d, 'target/compiled-files.tsv'))],
  ];
  for (const [what, change] of changes) {
    const dir = project();
    await compile(dir);
    assert.equal((await compile(dir)).upToDate, true, `${what}: up to date before the change`);
    change(dir);
    const afterChange = await compile(dir);
    assert.equal(afterChange.upToDate, false, `${what}: compiled again`);
    if (what === 'a model added') assert.equal(afterChange.total, 4);
    if (what.startsWith('a compiled file')) {
      assert.match(fs.readFileSync(join(dir, 'target/compiled/core', what.endsWith('deleted') ? 'a.sql' : 'b.sql'), 'utf8'), /select/, `${what}: written back`);
    }
  }
});

test('other options, another strata build, or a template reading env vars: compiled again', async () => {
  await loadSqlParser();
  const dir = project();
  await compile(dir);
  assert.equal((await compile(dir, { vars: '{top: 5}' })).upToDate, false, '--vars (may hold a secret: never kept)');
  assert.equal((await compile(dir, { vars: '{top: 5}' })).upToDate, false, 'the same --vars again');
  assert.equal((await compile(dir)).upToDate, false, 'without --vars: the --vars compile rewrote target/');
  assert.equal((await compile(dir)).upToDate, true);
  assert.equal((await compileCommand({ projectDir: dir, databaseUrl: 'postgres://nobody@127.0.0.1:1/none' }, {}, { build: BUILD })).upToDate, false, 'another target (PostgreSQL: {{target.engine}} differs)');
  assert.equal((await compile(dir, { build: '/tmp/strata-other-build' })).upToDate, false, 'strata changed');

  const env = project({ ...FILES, 'models/core/e.sql': 'select {{env_var "STRATA_TEST_UP_TO_DATE" "x"}} as region\n' });
  await compile(env);
  assert.equal(existsSync(join(env, 'target', COMPILE_INPUTS_FILE)), false, 'a compile that read env vars keeps nothing');
  assert.equal((await compile(env)).upToDate, false);

  const noBuild = project();
  await compileCommand({ projectDir: noBuild }, {}, { build: '' });
  assert.equal(existsSync(join(noBuild, 'target', COMPILE_INPUTS_FILE)), false, 'through tsx: nothing kept');
});

test('files changed just before or while compiling: nothing kept (a same-size edit could keep its mtime)', async () => {
  await loadSqlParser();
  const dir = project();
  writeFileSync(join(dir, 'models/core/a.sql'), 'select 3 as id, {{var "top"}} as top\n'); // mtime: now
  await compile(dir);
  assert.equal(existsSync(join(dir, 'target', COMPILE_INPUTS_FILE)), false);
  assert.equal((await compile(dir)).upToDate, false);
  age(dir);
  await compile(dir);
  assert.equal((await compile(dir)).upToDate, true, 'kept once the files are older');
});

test('a compile reads nothing of the project outside COMPILE_INPUTS (the Amazon project and the dbt examples)', async () => {
  await loadSqlParser();
  const read = new Set<string>();
  const methods = ['readFileSync', 'readdirSync', 'existsSync', 'statSync', 'lstatSync', 'openSync'] as const;
  const originals = methods.map((m) => fs[m]);
  methods.forEach((m, i) => {
    const original = originals[i] as (...args: unknown[]) => unknown;
    (fs as unknown as Record<string, unknown>)[m] = (path: unknown, ...rest: unknown[]) => {
      if (typeof path === 'string') read.add(resolve(path));
      return original(path, ...rest);
    };
  });
  syncBuiltinESMExports();
  const projects = [REPO, join(REPO, 'spec', 'fixtures', 'jaffle'), join(REPO, 'spec', 'fixtures', 'jaffle_classic')];
  try {
    for (const dir of projects) {
      try {
        compileProject({ projectDir: dir, writeArtifacts: false, analysisCache: false });
      } catch (err) {
        if (!(err instanceof ProjectError)) throw err; // jaffle_classic's seeds are in ../shared: its refs to them fail after everything is read
      }
    }
  } finally {
    methods.forEach((m, i) => ((fs as unknown as Record<string, unknown>)[m] = originals[i]));
    syncBuiltinESMExports();
  }
  for (const dir of projects) {
    const outside = [...read]
      .filter((p) => p.startsWith(dir + sep) && !p.startsWith(join(dir, 'node_modules') + sep) && !p.startsWith(join(dir, 'src') + sep))
      .map((p) => relative(dir, p).split(sep).join('/'))
      .filter((p) => !COMPILE_INPUTS.some((input) => p === input || p.startsWith(`${input}/`)))
      .filter((p) => !projects.some((other) => other !== dir && other.startsWith(dir + sep) && join(dir, p).startsWith(other + sep)));
    assert.deepEqual(outside, [], `${relative(REPO, dir) || 'the repo'}: read outside COMPILE_INPUTS`);
  }
  assert.ok([...read].some((p) => p.startsWith(join(REPO, 'models') + sep)), 'the reads were seen');
});
