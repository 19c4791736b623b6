import assert from 'node:assert/strict';
import { test } from 'node:test';
import Handlebars from 'handlebars';
import { templateSites } from './template-sites.ts';

const hb = Handlebars.create();
hb.registerHelper('ref', (name: string) => new hb.SafeString(`"ref:${name}"`));
hb.registerPartial('macro', 'lower(\n  {{value}}\n)');
const OPTS = { noEscape: true, ignoreStandalone: true };
const sites = (text: string) => templateSites(text, (ast) => hb.compile(ast, OPTS), (t) => t({}));

/** Where `needle` lands in the rendered SQL, mapped back to the template. */
const where = (text: string, needle: string) => {
  const s = sites(text);
  const at = s.sql.indexOf(needle);
  assert.ok(at >= 0, `${needle} not rendered`);
  return s.at(at);
};

test('rendering with markers gives the same SQL as a plain rendering', () => {
  const text = 'select {{> macro value="a"}}\nfrom {{ref "m"}} {{#if x}}where 1{{else}}where 2{{/if}}';
  assert.equal(sites(text).sql, hb.compile(text, OPTS)({}));
});

test('text maps character for character, below a multi-line macro', () => {
  const text = 'select {{> macro value="a"}} as x,\n  bad_column\nfrom {{ref "m"}}';
  assert.deepEqual(where(text, 'bad_column'), { line: 2, column: 3 });
  assert.deepEqual(where(text, 'from'), { line: 3, column: 1 });
});

test('output of a helper or a macro maps to where it is called', () => {
  const text = 'select 1\nfrom   {{ref "m"}}';
  assert.deepEqual(where(text, '"ref:m"'), { line: 2, column: 8 });
  assert.deepEqual(where('select\n  {{> macro value="a"}}', '  a'), { line: 2, column: 3 });
});

test('inside blocks, and after whitespace control', () => {
  const text = '{{#if true}}\nselect\n  oops{{/if}}';
  assert.deepEqual(where(text, 'oops'), { line: 3, column: 3 });
  const trimmed = 'select 1 {{~ref "m"~}}   \n   zz';
  assert.deepEqual(where(trimmed, 'zz'), { line: 2, column: 4 });
});
