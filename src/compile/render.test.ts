import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { loadSqlParser } from '../sql/parser.ts';
import type { Diagnostic } from '../core/errors.ts';
import { loadProject } from '../project/load.ts';
import { compileModels } from './compile.ts';
import { refMarker, THIS_MARKER } from './placeholders.ts';
import { createRenderer, type RenderFlags, type RenderState } from './render.ts';
import { tempProject } from '../../spec/temp-project.ts';

before(() => loadSqlParser());

const PROJECT_YAML = `name: t
layers:
  core: {materialized: view}
sources:
  raw: {schema: raw_data, tables: [events, users]}
vars:
  threshold: 10
  label: "it's; drop table x; -- $$ $tag$ $$"
  path: 'C:\\dir'
  ids: [1, 2]
  nested: {a: 1}
`;
const MACROS = {
  'macros/safe_div.sql': 'case when {{den}} = 0 then null else {{num}}::numeric / {{den}} end\n',
  'macros/util/pct.sql': '100.0 * {{x}}\n',
  'macros/lines.sql': 'a,\nb',
};

function writeProject(files: Record<string, string>): string {
  return tempProject('render', { 'project.yaml': PROJECT_YAML, ...MACROS, ...files });
}

interface Rendered {
  sql: string;
  state: RenderState;
  /** Problems found while compiling the template (syntax errors) or the macros. */
  compileDiagnostics: Diagnostic[];
}

/**
 * Renders models/core/m.sql (alongside a model `other`) on the fast path and on the
 * Handlebars-only path, asserts they agree, and returns the result.
 */
function render(text: string, { vars, flags }: { vars?: string; flags?: Partial<RenderFlags> } = {}): Rendered {
  const dir = writeProject({ 'models/core/m.sql': text, 'models/core/other.sql': 'select 1' });
  const project = loadProject(dir, vars !== undefined ? { vars } : {});
  const results = [true, false].map((fast): Rendered => {
    const compileDiagnostics: Diagnostic[] = [];
    const env = { refTargets: new Set(project.models.map((m) => m.name)), config: project.config };
    const r = createRenderer(env, project.macros, compileDiagnostics, { fast });
    const template = r.compile('models/core/m.sql', text);
    if (!template) return { sql: '', state: undefined as unknown as RenderState, compileDiagnostics };
    const { sql, state } = r.render(template, 'models/core/m.sql', { isIncremental: false, batchId: 'b1', ...flags });
    return { sql, state, compileDiagnostics };
  });
  assert.deepEqual(results[0], results[1], 'the fast path and Handlebars agree');
  return results[0]!;
}

const problems = (r: Rendered): Diagnostic[] => [...r.compileDiagnostics, ...(r.state?.diagnostics ?? [])];
const at = (line: number, column: number, message: string): Diagnostic => ({ file: 'models/core/m.sql', line, column, message });

describe('helpers', () => {
  test('ref renders a placeholder and records the edge once', () => {
    const r = render('select * from {{ref "other"}} a join {{ref \'other\'}} b');
    assert.equal(r.sql, `select * from ${refMarker('other')} a join ${refMarker('other')} b`);
    assert.deepEqual(r.state.refs, ['other']);
    assert.deepEqual(problems(r), []);
  });

  test('source renders the qualified, quoted table', () => {
    const r = render('select * from {{source "raw" "events"}}');
    assert.equal(r.sql, 'select * from "raw_data"."events"');
    assert.deepEqual(r.state.sources, [{ source: 'raw', table: 'events' }]);
  });

  test('config sets the model config and renders nothing', () => {
    const text = '{{config materialized="incremental" unique_key="id, day" tags="x,y" indexes="a, b+c, unique:id" description="d" export=true}}\nselect 1';
    const r = render(text);
    assert.equal(r.sql, '\nselect 1');
    assert.equal(r.state.configLine, 1);
    const compiled = compileModels(loadProject(writeProject({ 'models/core/m.sql': text })), { isIncremental: false, batchId: 'b' });
    assert.deepEqual(compiled.diagnostics, []);
    assert.deepEqual(compiled.models.get('m')!.config, {
      materialized: 'incremental',
      uniqueKey: ['id', 'day'],
      tags: ['x', 'y'],
      indexes: [
        { unique: false, columns: ['a'] },
        { unique: false, columns: ['b', 'c'] },
        { unique: true, columns: ['id'] },
      ],
      description: 'd',
      export: true,
    });
  });

  test('settings: name=value pairs for the model\'s own transaction; anything else is reported', () => {
    const ok = compileModels(loadProject(writeProject({ 'models/core/m.sql': '{{config settings="work_mem=256MB, jit=off, pg_trgm.similarity_threshold=0.4"}}\nselect 1' })), { isIncremental: false, batchId: 'b' });
    assert.deepEqual(ok.diagnostics, []);
    assert.deepEqual(ok.models.get('m')!.config.settings, [
      { name: 'work_mem', value: '256MB' },
      { name: 'jit', value: 'off' },
      { name: 'pg_trgm.similarity_threshold', value: '0.4' },
    ]);
    const bad = compileModels(loadProject(writeProject({ 'models/core/m.sql': '{{config settings="work_mem=\'1GB\'; drop table x"}}\nselect 1' })), { isIncremental: false, batchId: 'b' });
    assert.equal(bad.diagnostics.length, 1);
    assert.match(bad.diagnostics[0]!.message, /settings: .* is not name=value/);
    assert.equal(bad.diagnostics[0]!.file, 'models/core/m.sql');
    assert.equal(bad.diagnostics[0]!.line, 1);
  });

  test('var renders safe SQL literals, whatever the string holds', () => {
    const r = render('{{var "label"}} | {{var "path"}} | {{var "threshold"}} | {{var "ids"}} | {{var "x" default="a\'b; --"}} | {{var "y" default=3}} | {{var "z" default=false}}');
    assert.equal(r.sql, "'it''s; drop table x; -- $$ $tag$ $$' | E'C:\\\\dir' | 10 | 1, 2 | 'a''b; --' | 3 | false");
    assert.deepEqual(problems(r), []);
  });

  test('--vars overrides project.yaml vars', () => {
    assert.equal(render('{{var "threshold"}} {{var "extra"}}', { vars: '{threshold: 99, extra: "$$;\'"}' }).sql, "99 '$$;'''");
  });

  test('is_incremental follows the flags and is recorded', () => {
    const text = 'select 1{{#if (is_incremental)}} where inc{{else}} -- full{{/if}}';
    assert.equal(render(text, { flags: { isIncremental: true } }).sql, 'select 1 where inc');
    const full = render(text);
    assert.equal(full.sql, 'select 1 -- full');
    assert.equal(full.state.usedIsIncremental, true);
    assert.equal(render('{{is_incremental}}').sql, 'false');
    assert.equal(render('select 1').state.usedIsIncremental, false);
  });

  test('this renders the placeholder of the relation being built', () => {
    assert.equal(render('delete from {{this}}').sql, `delete from ${THIS_MARKER}`);
  });

  test('batch_id renders the batch as a literal', () => {
    assert.equal(render("select {{batch_id}} as batch", { flags: { batchId: "b'1" } }).sql, "select 'b''1' as batch");
  });

  test('ident quotes identifiers', () => {
    assert.equal(render('select {{ident "order"}}, {{ident "s" \'t"x\'}}').sql, 'select "order", "s"."t""x"');
  });

  test('macros are partials, with literal arguments, in folders, and keep their line', () => {
    const r = render('select {{> safe_div num="a" den="b"}}, {{> util/pct x="c"}},\n  {{> lines}}\n  from t');
    // A partial alone on its line keeps that line's newline, so SQL never runs together.
    assert.equal(r.sql, 'select case when b = 0 then null else a::numeric / b end, 100.0 * c,\n  a,\nb\n  from t');
  });
});

describe('diagnostics', () => {
  test('unknown ref, at its line and column', () => {
    assert.deepEqual(problems(render('select 1\nfrom x\njoin {{ref "nope"}} y')), [at(3, 6, 'unknown ref `nope`: no model or seed has that name')]);
  });

  test('ref with the wrong arguments', () => {
    assert.deepEqual(problems(render('{{ref "a" "b"}}')), [at(1, 1, '`ref` takes one model or seed name, e.g. {{ref "silver_reviews"}}')]);
  });

  test('unknown source and unknown table', () => {
    assert.deepEqual(problems(render('{{source "nope" "events"}}\n  {{source "raw" "nope"}}')), [
      at(1, 1, 'unknown source `nope` (declared in project.yaml: raw)'),
      at(2, 3, 'source `raw` has no table `nope` (tables: events, users)'),
    ]);
  });

  test('unknown config key', () => {
    assert.deepEqual(problems(render('select 1\n{{config materialised="table"}}')), [
      at(2, 1, 'unknown config `materialised` (expected one of materialized, unique_key, keys_from, tags, indexes, settings, description, export, severity, strategy, updated_at, check_cols)'),
    ]);
  });

  test('unknown var, and a var that is not a SQL value', () => {
    const r = render('select {{var "nope"}}, {{var "nested"}}');
    assert.equal(r.sql, 'select null, null');
    assert.deepEqual(problems(r), [
      at(1, 8, 'unknown var `nope`: set it under `vars:` in project.yaml, pass --vars, or give a default: {{var "nope" default}}'),
      at(1, 24, 'var `nested`: cannot render object as a SQL literal: use it in {{#each}} or {{lookup}}, or render a field of it'),
    ]);
  });

  test('template syntax error with file, line and column', () => {
    const r = render('select 1\nfrom t\n  {{/if}}');
    assert.deepEqual(problems(r), [at(3, 3, "template syntax error: Expecting 'EOF', got 'OPEN_ENDBLOCK'")]);
    const compiled = compileModels(loadProject(writeProject({ 'models/core/m.sql': 'select {{ref "other"' })), { isIncremental: false, batchId: 'b' });
    assert.equal(compiled.diagnostics.length, 1);
    assert.match(compiled.diagnostics[0]!.message, /^template syntax error: Expecting .*got 'EOF'$/);
    assert.deepEqual({ ...compiled.diagnostics[0], message: '' }, { file: 'models/core/m.sql', line: 1, column: 21, message: '' });
  });

  test('a broken macro is reported in its own file', () => {
    const dir = writeProject({ 'macros/broken.sql': 'select\n  {{#if x}}', 'models/core/m.sql': 'select 1' });
    const compiled = compileModels(loadProject(dir), { isIncremental: false, batchId: 'b' });
    assert.deepEqual(compiled.diagnostics, [
      { file: 'macros/broken.sql', line: 2, column: 12, message: "template syntax error: Expecting 'COMMENT', 'CONTENT', 'OPEN_RAW_BLOCK', 'OPEN_BLOCK', 'OPEN_INVERSE', 'OPEN_INVERSE_CHAIN', 'INVERSE', 'OPEN_ENDBLOCK', 'OPEN', 'OPEN_UNESCAPED', 'OPEN_PARTIAL', 'OPEN_PARTIAL_BLOCK', got 'EOF'" },
    ]);
  });

  test('an unknown macro is a template error', () => {
    assert.deepEqual(problems(render('select {{> nope}}')), [{ file: 'models/core/m.sql', message: 'template error: The partial nope could not be found' }]);
  });
});
