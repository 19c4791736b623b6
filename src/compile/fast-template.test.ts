import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import Handlebars from 'handlebars';
import type { Diagnostic } from '../core/errors.ts';
import { loadProject } from '../project/load.ts';
import type { ProjectConfig, SourceFile } from '../project/types.ts';
import { compileFast, isFastTemplate, parseFast, type FastEnv } from './fast-template.ts';
import { createRenderer, type RenderEnv, type RenderFlags } from './render.ts';

const config = (over: Partial<ProjectConfig> = {}): ProjectConfig => ({
  name: 't',
  layers: [{ name: 'core', schema: 'core', materialized: 'view', export: false }],
  sources: [{ name: 'raw', schema: 'raw_data', tables: ['events'] }],
  seedSchema: 'seeds',
  seeds: {},
  vars: { threshold: 10, s: "it's; drop table x; -- $$ $q$", back: 'a\\b', list: [1, 'x'], obj: { a: 1 } },
  threads: 1,
  keepBatches: 3,
  lake: { path: 'data', layers: [], retentionDays: 90 },
  health: { goldFreshnessHours: 24, pipelineLatencySeconds: 120 },
  roles: [],
  ...over,
});

const macro = (name: string, text: string): SourceFile => ({ path: `/p/macros/${name}.sql`, relPath: `macros/${name}.sql`, text });
const MACROS = [
  macro('safe_div', 'case when {{den}} = 0 then null else {{num}}::numeric / {{den}} end\n'),
  macro('multi', 'line one {{a}}\n  line two {{ref "m1"}}\n\nlast {{this}}\n'),
  macro('pair', '{{a}}{{b}}'),
  macro('nested', 'begin\n    {{> multi a="in"}}\nend {{> safe_div num=den den="2"}}'),
  macro('nested_ok', 'x\n  {{> multi a="deep"}}\n{{! note }}\ny'),
  macro('blocky', '{{#if (is_incremental)}}inc{{else}}full{{/if}}'),
  macro('broken', 'select {{#if}}'),
  macro('util/twice', '{{x}} {{x}}'),
];

/** A fast renderer and a Handlebars-only one over the same project. */
function pair(env: RenderEnv, macros: readonly SourceFile[]) {
  const diagnostics = { fast: [] as Diagnostic[], slow: [] as Diagnostic[] };
  const fast = createRenderer(env, macros, diagnostics.fast);
  const slow = createRenderer(env, macros, diagnostics.slow, { fast: false });
  const flagSets: RenderFlags[] = [
    { isIncremental: false, batchId: 'b1' },
    { isIncremental: true, batchId: "b'2" },
  ];
  /** Asserts both paths agree on output, state and diagnostics; returns whether the fast path ran. */
  return (file: string, text: string): boolean => {
    const tf = fast.compile(file, text);
    const ts = slow.compile(file, text);
    assert.deepEqual(diagnostics.fast, diagnostics.slow, `compile diagnostics for ${JSON.stringify(text)}`);
    assert.equal(tf === null, ts === null);
    if (!tf || !ts) return false;
    for (const flags of flagSets) {
      const a = fast.render(tf, file, flags);
      const b = slow.render(ts, file, flags);
      assert.deepEqual(a, b, `render of ${JSON.stringify(text)}`);
      assert.equal(typeof a.sql, typeof b.sql);
    }
    return isFastTemplate(tf);
  };
}

const env = (refTargets: string[], over: Partial<ProjectConfig> = {}): RenderEnv => ({ refTargets: new Set(refTargets), config: config(over) });

/** [template, expected to take the fast path] */
const EDGE_CASES: [string, boolean][] = [
  ['', true],
  ['select 1', true],
  ['select 1\n', true],
  ['{{ref "m1"}}{{ref "m2"}}{{ref "m1"}}', true],
  ['{{config materialized="incremental" unique_key="review_id"}}\nselect * from {{ref "m1"}}\n', true],
  ["select 'héllo ✓ 😀' as u, {{var \"s\"}} -- ünïcode 日本 {{ref \"nope\"}}", true],
  ['{{var "a}}b" default="x}}y"}} {{ref "}}"}}', true],
  ['{{var "q\\"uote" default=\'it\\\'s\'}} {{var "x" default=\'say "hi"\'}} {{var "a\\b" default="c\\d"}}', true],
  // A backslash before the closing quote escapes it, as in Handlebars' lexer.
  ['{{var "b\\\\" default="c\\\\"}}', false],
  ['{{var "s"}} {{var "back"}} {{var "list"}} {{var "obj"}} {{var "threshold"}}', true],
  ['{{var "n" default=3}} {{var "m" default=-1.5}} {{var "t" default=true}} {{var "f" default=false}} {{var "missing"}}', true],
  ['{{config\n  materialized="table"\n  tags = "a,b"\n  indexes=\'x\'\n}}\nselect {{ ref "nope" }}\n', true],
  ['{{config materialized="table" nope=1 description="d"}}{{config materialized="view"}}', true],
  ['{{is_incremental}} {{batch_id}} {{ident "a" "b\\"c"}} {{this}}', true],
  ['{{is_incremental}}', true],
  ['{{is_incremental}}{{is_incremental}}', true],
  ['{{this}}', true],
  ['{{source "raw" "events"}} {{source "raw" "nope"}} {{source "zz" "t"}} {{source "raw"}}', true],
  ['{{ref "a" "b"}} {{ref 1}} {{ref}} {{ref x="y"}}', true],
  ['{{nothing}} and {{toString}} and {{else}}', false],
  ['{{nothing}} x', true],
  ['select\n  {{> safe_div num="a" den="b"}} as r,\n  {{> safe_div num=\'x\' den=0}}\nfrom t', true],
  ['select\n  {{> safe_div num="a" den="b"}}\nfrom t', true],
  ['{{> multi a="1"}}\nafter', true],
  ['before\n  {{> multi a="1"}}  \r\nafter', true],
  ['a\n\t {{> multi a=2}}', true],
  ['a\n  {{> multi a=2}}\n  {{> multi a=3}}\n', true],
  ['{{> multi}}', true],
  ['{{> pair a=1 b=2}}|{{> pair a=true b=false}}|{{> pair a=1}}|{{> pair b="s"}}', true],
  ['  {{> pair a=1 b=2}}\nx', true],
  ['{{> pair a=1 b=2}}', true],
  ['{{> nested_ok}}\n', true],
  ['{{> util/twice x="y"}}', true],
  ['{{> nested}}', false],
  ['{{> blocky}}', false],
  ['{{> broken}}', false],
  ['{{> nope}}', false],
  ['{{! hi }}\nselect 1', true],
  ['{{!-- a }} b --}}\nselect\n  {{!-- x --}}  \nfrom {{ref "nope"}}', true],
  ['{{!--}}x{{!}}y', true],
  ['  {{! only a comment }}  ', true],
  ['{{! a ~}} b', false],
  ['{{config materialized="view"}}\r\nselect *\r\nfrom {{ref "missing"}}\r\n  {{> multi a="c"}}\r\n', true],
  ['a\r{{ref "missing"}}\r\r\n{{ref "gone"}}', true],
  ['x\n{{ref "m1"}}', true],
  // Everything below belongs to Handlebars.
  ['{{#if (is_incremental)}}where x > 1{{else}}{{/if}}', false],
  ['{{ident (var "x")}}', false],
  ['{{{ref "m1"}}}', false],
  ['{{~ref "m1"~}}', false],
  ['\\{{ref "m1"}}', false],
  ['a\\\\{{ref "m1"}}', false],
  ['{{{{raw}}}} {{x}} {{{{/raw}}}}', false],
  ['select {{ref "m1"', false],
  ['select {{ref "m1"}}}', false],
  ['{{var default=1 "x"}}', false],
  ['{{ref"m1"}}', false],
  ['{{var "n" true=1}}', false],
  ['{{safe-div}}', false],
  ['{{ident col}}', false],
  ['{{nope "x"}}', false],
  ['{{lookup this "x"}}', false],
  ['{{> safe_div num="a" den="b"}}}', false],
  ['{{> safe_div this}}', false],
  ['a\0{{ref "m1"}}', false],
  ['a\u2028{{ref "m1"}}', false],
  ['{{ref "m1" }}\n{{ config }}\n{{', false],
];

describe('fast path renders exactly as Handlebars', () => {
  test('hand-written edge cases', () => {
    const check = pair(env(['m1', 'm2']), MACROS);
    for (const [text, fast] of EDGE_CASES) {
      assert.equal(check('models/core/edge.sql', text), fast, `fast path taken for ${JSON.stringify(text)}`);
    }
  });

  test('random mixes of text, helpers, partials and comments', () => {
    const check = pair(env(['m1']), MACROS);
    const pieces = ['\n', '\r\n', '  ', '\t', 'x', ' y\n ', '{{ref "m1"}}', '{{ref "zz"}}', '{{config tags="a"}}', '{{var "n" default=1}}',
      '{{is_incremental}}', '{{this}}', '{{! c }}', '{{!-- c\n --}}', '{{> multi a="p"}}', '{{> pair a=1 b=2}}', '{{> nested_ok}}', '{{> safe_div num=1 den=2}}'];
    let seed = 1;
    const rand = (k: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % k);
    let fast = 0;
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: 1 + rand(8) }, () => pieces[rand(pieces.length)]).join('');
      if (check(`models/core/r${i}.sql`, text)) fast++;
    }
    assert.equal(fast, 2000);
  });

  test('macros rendered as templates of their own', () => {
    const check = pair(env(['m1']), MACROS);
    for (const m of MACROS) check(m.relPath, m.text);
  });

  test("the bench's synthetic models", () => {
    const macros = [macro('safe_div', 'case when {{den}} = 0 then null else {{num}}::numeric / {{den}} end')];
    const check = pair(env(Array.from({ length: 200 }, (_, i) => `m${i}`), { sources: [{ name: 'raw', schema: 'raw', tables: ['events'] }] }), macros);
    for (let i = 0; i < 200; i++) {
      const from = i === 0 ? '{{source "raw" "events"}} r0' : `{{ref "m${i - 1}"}} r0 cross join {{ref "m${Math.floor(i / 2)}"}} r1`;
      const text = `{{config materialized="view" tags="t${i % 10}"}}\n-- model ${i}\nselect r0.id,\n  {{> safe_div num="r0.a" den="r0.b"}} as ratio,\n  r0.a > {{var "threshold"}} as big\nfrom ${from}\n`;
      assert.ok(check(`models/core/m${i}.sql`, text));
    }
  });

  test("the project's own models and macros", () => {
    const root = join(import.meta.dirname, '..', '..');
    const list = (dir: string): string[] =>
      existsSync(dir) ? (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.sql')).map((f) => join(dir, f)) : [];
    const file = (path: string, dir: string): SourceFile => ({ path, relPath: `${dir}/${path.slice(join(root, dir).length + 1)}`, text: readFileSync(path, 'utf8') });
    const models = list(join(root, 'models')).map((p) => file(p, 'models'));
    const macros = list(join(root, 'macros')).map((p) => file(p, 'macros'));
    let projectConfig: ProjectConfig | undefined;
    try {
      projectConfig = loadProject(root).config;
    } catch {
      // No project yet, or one with problems: the synthetic config still exercises every helper.
    }
    const check = pair({ refTargets: new Set(models.map((m) => basename(m.path, '.sql'))), config: projectConfig ?? config() }, macros);
    for (const f of [...models, ...macros]) check(f.relPath, f.text);
  });

  test('helpers receive the arguments, `this` and options Handlebars gives them', () => {
    const calls: unknown[] = [];
    const hb = Handlebars.create();
    hb.registerHelper('capture', function (this: unknown, ...args: unknown[]) {
      const { data, lookupProperty, ...options } = args.pop() as { data: Record<string, unknown>; lookupProperty: unknown };
      const lookup = typeof lookupProperty === 'function' ? [lookupProperty({ own: 1 }, 'own')] : [];
      calls.push({ this: this, args, options, lookup, data: { ...data, root: data.root === context, _parent: data._parent === input } });
      return args[0];
    });
    const macros: Record<string, string> = { p: 'in {{capture "a" b=1}} {{a}}\n  {{capture "x"}}' };
    const fastEnv: FastEnv = { helpers: hb.helpers, partial: (name) => (macros[name] ? parseFast(macros[name], fastEnv) : null) };
    hb.registerPartial('p', macros.p!);
    const context = { toString: () => 'ctx' };
    const input = { strata: 1 };
    const text = '{{capture "s" \'t\' 1 -2.5 true false k="v" n=0 b=false}}\r\n  {{capture}}\n\t{{> p a="A" b=2}}\n{{capture\n x = "multi\nline"\n}}é{{capture "ü"}}';
    const fast = compileFast(text, fastEnv)!;
    assert.ok(fast);
    const out = fast(context, { data: input });
    const fromFast = calls.splice(0);
    assert.equal(out, hb.compile(text, { noEscape: true, ignoreStandalone: true })(context, { data: input }));
    assert.deepEqual(fromFast, calls);
    assert.equal(fromFast.length, 6);
  });

  test('an unknown ref on line 3 is reported at its line and column on both paths', () => {
    const text = '{{config materialized="table"}}\nselect 1\nfrom x join {{ref "nope"}} y';
    for (const fast of [true, false]) {
      const r = createRenderer(env(['m1']), [], [], { fast });
      const t = r.compile('models/core/a.sql', text)!;
      assert.equal(isFastTemplate(t), fast);
      const { state } = r.render(t, 'models/core/a.sql', { isIncremental: false, batchId: 'b' });
      assert.deepEqual(state.diagnostics, [
        { file: 'models/core/a.sql', line: 3, column: 13, message: 'unknown ref `nope`: no model or seed has that name' },
      ]);
      assert.equal(state.configLine, 1);
    }
  });

  test('blocks fall back to Handlebars and still render', () => {
    const r = createRenderer(env(['m1']), MACROS, []);
    const t = r.compile('m.sql', 'select 1 {{#if (is_incremental)}}where x{{/if}}')!;
    assert.equal(isFastTemplate(t), false);
    assert.equal(r.render(t, 'm.sql', { isIncremental: true, batchId: 'b' }).sql, 'select 1 where x');
    assert.equal(isFastTemplate(r.compile('m.sql', 'select {{ref "m1"}}')!), true);
  });
});
