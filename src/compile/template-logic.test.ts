import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { loadSqlParser } from '../sql/parser.ts';
import fc from 'fast-check';
import { quoteIdent, quoteLiteral } from '../engine/quote.ts';
import { loadProject } from '../project/load.ts';
import type { Diagnostic } from '../core/errors.ts';
import { createRenderer, type RenderEnv } from './render.ts';
import { tempProject } from '../../spec/temp-project.ts';

const PROJECT_YAML = `name: t
layers:
  core: {materialized: view, schema: analytics}
vars:
  payment_methods: [credit_card, coupon, bank_transfer, gift_card]
  flag_false: false
  flag_true: true
  zero: 0
  empty: ""
  none: []
  word: "false"
  limit: 5
  colors: {red: 1, blue: 2}
  columns: [{name: id, type: int}, {name: label, type: text}]
`;

// Compiling checks every model's SQL with PostgreSQL's parser.
before(() => loadSqlParser());

/**
 * Renders models/core/m.sql as compiling does, without the SQL checks of a whole compile
 * (these templates render fragments, not statements).
 */
function renderWith(files: Record<string, string>, context: Pick<RenderEnv, 'env' | 'target'> = {}, vars?: string) {
  const dir = tempProject('logic', { 'project.yaml': PROJECT_YAML, ...files });
  const project = loadProject(dir, vars ? { vars } : {});
  const diagnostics: Diagnostic[] = [];
  const renderer = createRenderer({ refTargets: new Set(project.models.map((m) => m.name)), config: project.config, ...context }, project.macros, diagnostics);
  const file = project.models.find((m) => m.name === 'm')!;
  const template = renderer.compile(file.relPath, file.text);
  const rendered = template ? renderer.render(template, file.relPath, { isIncremental: false, batchId: 'b', schema: 'analytics' }) : null;
  const all = [...diagnostics, ...(rendered?.state.diagnostics ?? [])];
  return { sql: rendered?.sql.trim() ?? '', problems: all.map((d) => `${d.file}:${d.line ?? ''}: ${d.message}`), diagnostics: all, masked: rendered?.state.masked ?? [] };
}

/** models/core/m.sql rendered, with every problem found. */
function render(text: string, context: Pick<RenderEnv, 'env' | 'target'> = {}, files: Record<string, string> = {}) {
  return renderWith({ 'models/core/m.sql': text, ...files }, context);
}
const sql = (text: string, context: Pick<RenderEnv, 'env' | 'target'> = {}): string => {
  const r = render(text, context);
  assert.deepEqual(r.problems, []);
  return r.sql;
};

describe('vars as values', () => {
  test('#each over a list var: items render as literals, ident builds column names', () => {
    const out = sql(
      'select {{#each (var "payment_methods")}}sum(case when m = {{this}} then 1 end) as {{ident (concat this "_amount")}}{{#unless @last}}, {{/unless}}{{/each}}',
    );
    assert.equal(
      out,
      `select sum(case when m = 'credit_card' then 1 end) as "credit_card_amount", sum(case when m = 'coupon' then 1 end) as "coupon_amount", ` +
        `sum(case when m = 'bank_transfer' then 1 end) as "bank_transfer_amount", sum(case when m = 'gift_card' then 1 end) as "gift_card_amount"`,
    );
  });

  test('#each with a block parameter, @index, @first and a mapping with @key', () => {
    assert.equal(sql('{{#each (var "payment_methods") as |p|}}{{#if @first}}{{else}},{{/if}}{{@index}}={{p}}{{/each}}'), "0='credit_card',1='coupon',2='bank_transfer',3='gift_card'");
    assert.equal(sql('{{#each (var "colors")}}{{@key}}:{{this}} {{/each}}'), "'red':1 'blue':2");
  });

  test('#each over a list of mappings reaches the fields', () => {
    assert.equal(sql('{{#each (var "columns")}}{{ident name}} {{raw type}};{{/each}}'), '"id" int;"label" text;');
  });

  test('#each of an empty list takes the else branch', () => {
    assert.equal(sql('{{#each (var "none")}}x{{else}}nothing{{/each}}'), 'nothing');
  });

  test('#if follows the value: false, 0, "" and [] are false; the text "false" is true', () => {
    for (const name of ['flag_false', 'zero', 'empty', 'none']) assert.equal(sql(`{{#if (var "${name}")}}yes{{else}}no{{/if}}`), 'no', name);
    for (const name of ['flag_true', 'word', 'limit', 'payment_methods']) assert.equal(sql(`{{#if (var "${name}")}}yes{{else}}no{{/if}}`), 'yes', name);
    assert.equal(sql('{{#unless (var "flag_false")}}kept{{/unless}}'), 'kept');
  });

  test('comparisons and boolean helpers', () => {
    const cases: [string, boolean][] = [
      ['(eq (var "limit") 5)', true], ['(ne (var "limit") 5)', false], ['(lt (var "limit") 6)', true], ['(le (var "limit") 5)', true],
      ['(gt (var "limit") 5)', false], ['(ge (var "limit") 5)', true], ['(eq (var "word") "false")', true],
      ['(and (var "flag_true") (var "limit"))', true], ['(and (var "flag_true") (var "zero"))', false],
      ['(or (var "flag_false") (var "empty"))', false], ['(or (var "flag_false") 1)', true],
      ['(not (var "flag_false"))', true], ['(not (var "payment_methods"))', false],
    ];
    for (const [expr, want] of cases) assert.equal(sql(`{{#if ${expr}}}T{{else}}F{{/if}}`), want ? 'T' : 'F', expr);
  });

  test('an unknown var or ref says which one was meant', () => {
    assert.match(render('select {{var "limt"}}').problems[0]!, /unknown var `limt` \(did you mean `limit`\?\)/);
    assert.match(render('select * from {{ref "mm"}}').problems[0]!, /unknown ref `mm`: no model or seed has that name \(did you mean `m`\?\)/);
  });

  test('var defaults: positional or default=, and the project value wins', () => {
    assert.equal(sql('{{var "days" 7}} {{var "days" default="x"}} {{var "limit" 9}}'), "7 'x' 5");
  });

  test('concat renders as one literal; literal and raw say how a value is written', () => {
    assert.equal(sql(`{{concat "it's " (var "limit")}}`), `'it''s 5'`);
    assert.equal(sql('{{raw (var "limit")}} {{literal "a"}}'), "5 'a'");
  });

  test('lookup and with reach into a mapping var', () => {
    assert.equal(sql('{{lookup (var "colors") "blue"}} {{#with (var "colors")}}{{red}}{{/with}}'), '2 1');
  });

  test('a comparison with the wrong number of values is an error at its line', () => {
    const r = render('select 1\n{{#if (eq (var "limit"))}}x{{/if}}');
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0]!, /^models\/core\/m\.sql:2: template error: `eq` compares two values/);
  });

  test('property: whatever text a var holds, it reaches SQL only as a literal or a quoted identifier', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0')), fc.string({ maxLength: 8 }).filter((s) => !s.includes('\0')), (value, suffix) => {
        const c = renderWith(
          { 'models/core/m.sql': '{{var "v"}}|{{#each (var "l")}}{{this}}|{{ident (concat this "_x")}}{{/each}}|{{concat (var "v") (var "s")}}' },
          {},
          JSON.stringify({ v: value, l: [value], s: suffix }),
        );
        assert.deepEqual(c.diagnostics, []);
        assert.equal(c.sql, [quoteLiteral(value), quoteLiteral(value), quoteIdent(`${value}_x`), quoteLiteral(value + suffix)].join('|'));
      }),
      { numRuns: 40 },
    );
  });
});

describe('env_var and target', () => {
  test('env_var reads the environment, falls back to its default, and is an error when unset', () => {
    assert.equal(sql('{{env_var "REGION"}} {{env_var "ZONE" "z1"}}', { env: { REGION: "eu'1" } }), "'eu''1' 'z1'");
    const r = render('select {{env_var "NOPE_UNSET"}}', { env: {} });
    assert.deepEqual(r.problems, ['models/core/m.sql:1: env var `NOPE_UNSET` is not set (and has no default: {{env_var "NOPE_UNSET" "default"}})']);
  });

  test('values of secret-looking names are recorded for masking; others are not', () => {
    const r = render('select {{env_var "API_TOKEN"}}, {{env_var "REGION"}}', { env: { API_TOKEN: 's3cr3t', REGION: 'eu' } });
    assert.equal(r.sql, "select 's3cr3t', 'eu'");
    assert.deepEqual(r.masked, ["'s3cr3t'"]);
  });

  test('target has name, engine and schema, usable as values', () => {
    assert.equal(sql('{{target.name}} {{target.engine}} {{target.schema}}', { target: { name: 'prod', engine: 'pglite' } }), "'prod' 'pglite' 'analytics'");
    assert.equal(sql('{{#if (eq target.name "prod")}}limit 10{{else}}all{{/if}}', { target: { name: 'prod', engine: 'postgres' } }), 'limit 10');
    assert.equal(sql('{{target.name}}'), "'dev'");
  });
});

describe('Jinja habits', () => {
  const habit = (text: string): string[] => render(text).problems;

  test('calls show the Handlebars form', () => {
    assert.deepEqual(habit("select * from {{ ref('orders') }}"), [
      `models/core/m.sql:1: Jinja syntax: strata templates are Handlebars: write {{ref "orders"}} instead of {{ ref('orders') }}`,
    ]);
    assert.match(habit("{{ source('jaffle', 'raw_orders') }}")[0]!, /write \{\{source "jaffle" "raw_orders"\}\}/);
    assert.match(habit("{{ config(materialized='table', tags=['a']) }}")[0]!, /write \{\{config materialized="table"/);
    assert.match(habit("{{ var('days', 7) }}")[0]!, /write \{\{var "days" 7\}\}/);
    assert.match(habit("{{ dbt_utils.star(ref('x')) }}")[0]!, /package macros such as `dbt_utils.star` are not available/);
  });

  test('statements, comments and filters, each at its line', () => {
    const problems = habit("{# note #}\n{% set x = 1 %}\n{% for pm in payment_methods %}\n{{ pm | upper }}\n{% endfor %}\n{% if is_incremental() %}x{% endif %}");
    assert.deepEqual(
      problems.map((p) => p.replace(/^models\/core\/m\.sql:(\d+): Jinja syntax: strata templates are Handlebars: /, '$1 ')),
      [
        '1 write {{!-- … --}} for a comment instead of {# … #}',
        '2 write a value under `vars:` in project.yaml, read with {{var "name"}} (templates have no assignments) instead of {% set x = 1 %}',
        '3 write {{#each (var "payment_methods") as |pm|}} … {{/each}} instead of {% for pm in payment_methods %}',
        '4 Jinja filters such as `| upper` do not exist; use a helper (e.g. {{ident …}}, {{concat …}}) or SQL',
        '5 write {{/each}} instead of {% endfor %}',
        '6 write {{#if (is_incremental)}} … {{/if}} instead of {% if is_incremental() %}',
        '6 write {{/if}} instead of {% endif %}',
      ],
    );
  });

  test('Jinja quoted in a Handlebars comment is left alone', () => {
    assert.equal(sql("{{!-- dbt: {% for x in xs %} {{ ref('a') }} --}}{{! {# c #} }}select 1"), 'select 1');
  });

  test('valid Handlebars with subexpressions and block parameters is not mistaken for Jinja', () => {
    assert.equal(sql('{{#each (var "payment_methods") as |p|}}{{ident (concat p "_x")}}{{/each}}').length > 0, true);
  });
});

describe('macro parameters', () => {
  const MACRO = { 'macros/safe_div.sql': '{{params "num" "den" fallback="null"}}case when {{den}} = 0 then {{fallback}} else {{num}} / {{den}} end' };

  test('a declared macro renders with its defaults filled in', () => {
    assert.equal(render('select {{> safe_div num="a" den="b"}}', {}, MACRO).sql, 'select case when b = 0 then null else a / b end');
    assert.equal(render('select {{> safe_div num="a" den="b" fallback="0"}}', {}, MACRO).sql, 'select case when b = 0 then 0 else a / b end');
  });

  test('an unknown or a missing argument is a compile error at the call', () => {
    assert.deepEqual(render('select 1,\n  {{> safe_div num="a" dem="b"}}', {}, MACRO).problems, [
      'models/core/m.sql:2: macro `safe_div` has no parameter `dem` (did you mean `den`?) (parameters: num, den, fallback)',
      'models/core/m.sql:2: macro `safe_div` needs den="…" (declared in macros/safe_div.sql)',
    ]);
  });

  test('calls between macros are checked; an argument-less call hands the arguments on', () => {
    const files = { ...MACRO, 'macros/ratio.sql': '{{params "num" "den"}}{{> safe_div}} + {{> safe_div nm="x" den="y"}}' };
    assert.deepEqual(render('select 1', {}, files).problems, [
      'macros/ratio.sql:1: macro `safe_div` has no parameter `nm` (did you mean `num`?) (parameters: num, den, fallback)',
      'macros/ratio.sql:1: macro `safe_div` needs num="…" (declared in macros/safe_div.sql)',
    ]);
  });

  test('a malformed declaration is reported in the macro', () => {
    const r = render('select 1', {}, { 'macros/bad.sql': '{{params num (var "x")}}x' });
    assert.equal(r.problems.length, 2);
    assert.match(r.problems[0]!, /^macros\/bad\.sql:1: \{\{params\}\} takes parameter names in quotes, e\.g\. .*; got num$/);
  });
});
