/**
 * Rules that must hold for every query of a shape, checked on generated ones: projections
 * and renames over a known relation give exactly the selected columns and their direct
 * lineage, however deeply they are wrapped; every reference points at its text whatever
 * characters precede it; unknown relations never get guessed columns.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { loadSqlParser } from './parser.ts';
import { refMarker } from '../compile/placeholders.ts';
import { quoteIdent } from '../engine/quote.ts';
import { analyzeModel, type Catalog, type CatalogColumn } from './analyze.ts';
import { relationKey } from './model-sql.ts';

before(() => loadSqlParser());

const BASE: CatalogColumn[] = [
  { name: 'id', type: 'bigint' },
  { name: 'amount', type: 'numeric(12,2)' },
  { name: 'status' },
  { name: 'Order Total', type: 'double precision' },
  { name: 'select', type: 'text' },
  { name: 'created_at', type: 'timestamp with time zone' },
];
const catalog: Catalog = (r) => (r.kind === 'ref' && r.name === 'base' ? BASE : undefined);
const CASTS: [string, string][] = [
  ['bigint', 'bigint'], ['int', 'integer'], ['text', 'text'], ['numeric(10, 2)', 'numeric(10,2)'],
  ['varchar(5)', 'character varying(5)'], ['double precision', 'double precision'],
  ['timestamptz', 'timestamp with time zone'], ['boolean', 'boolean'], ['date', 'date'],
];

interface Item {
  column: number;
  qualified: boolean;
  alias: string | null;
  cast: number | null;
}
const item = fc.record({
  column: fc.nat({ max: BASE.length - 1 }),
  qualified: fc.boolean(),
  alias: fc.option(fc.stringMatching(/^[a-z_][a-z0-9_ ]{0,8}$/), { nil: null }),
  cast: fc.option(fc.nat({ max: CASTS.length - 1 }), { nil: null }),
});

const refText = (i: Item): string => `${i.qualified ? 'b.' : ''}${quoteIdent(BASE[i.column]!.name)}`;
const itemSql = (i: Item): string =>
  `${refText(i)}${i.cast !== null ? `::${CASTS[i.cast]![0]}` : ''}${i.alias !== null ? ` as ${quoteIdent(i.alias)}` : ''}`;
const projection = (items: Item[]): string => `select ${items.map(itemSql).join(', ')} from ${refMarker('base')} b`;

function expected(items: Item[]) {
  return items.map((i) => {
    const col = BASE[i.column]!;
    const type = i.cast !== null ? CASTS[i.cast]![1] : col.type;
    return {
      name: i.alias ?? col.name,
      ...(type !== undefined ? { type } : {}),
      lineage: { kind: i.cast !== null ? 'cast' : 'copy', sources: [{ relation: { kind: 'ref', name: 'base' }, column: col.name }] },
    };
  });
}
const duplicates = (items: Item[]): number => items.length - new Set(expected(items).map((c) => c.name)).size;

test('a projection gives exactly the selected columns, names and direct lineage', () => {
  fc.assert(
    fc.property(fc.array(item, { minLength: 1, maxLength: 8 }), (items) => {
      const sql = projection(items);
      const a = analyzeModel(sql, catalog);
      assert.deepEqual(a.columns, expected(items));
      assert.equal(a.problems.length, duplicates(items));
      assert.ok(a.problems.every((p) => p.kind === 'duplicate-column'));
      assert.deepEqual(a.references.map((r) => r.column), items.map((i) => BASE[i.column]!.name));
      a.references.forEach((r, k) => assert.ok(sql.startsWith(refText(items[k]!), r.offset), `reference ${k} at ${r.offset}`));
    }),
    { numRuns: 300 },
  );
});

const wrapper = fc.constantFrom(
  (q: string, n: number) => `select * from (${q}) s${n}`,
  (q: string, n: number) => `with c${n} as (${q}) select * from c${n}`,
  (q: string, n: number) => `select s${n}.* from (${q}) as s${n}`,
  (q: string, n: number) => `with recursive c${n} as (${q}) select c${n}.* from c${n}`,
);

test('wrapping a projection in subqueries and CTEs changes neither its columns nor their lineage', () => {
  fc.assert(
    fc.property(fc.array(item, { minLength: 1, maxLength: 6 }), fc.array(wrapper, { maxLength: 5 }), (items, wrappers) => {
      const sql = wrappers.reduce((q, wrap, n) => wrap(q, n), projection(items));
      const a = analyzeModel(sql, catalog);
      assert.deepEqual(a.columns, expected(items));
      assert.equal(a.problems.length, duplicates(items));
    }),
    { numRuns: 200 },
  );
});

/** Text that is safe inside a block comment or a string literal, any characters at all. */
const anyText = fc.string({ unit: 'binary', maxLength: 12 }).map((s) => s.replace(/\0/g, '').replace(/\*\//g, '*').replace(/\/\*/g, '/'));

test('every reference and relation points at its text in the rendered SQL, whatever characters precede it', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(item, anyText, anyText), { minLength: 1, maxLength: 6 }), (parts) => {
      const items = parts.map(([i]) => ({ ...i, alias: null }));
      const list = parts.map(([, comment, literal], k) => `/* ${comment} */ ${itemSql(items[k]!)}, '${literal.replaceAll("'", "''")}' as "l${k}"`);
      const sql = `select ${list.join(', ')} from ${refMarker('base')} b`;
      const a = analyzeModel(sql, catalog);
      assert.deepEqual(a.problems.filter((p) => p.kind !== 'duplicate-column'), []);
      a.references.forEach((r, k) => assert.ok(sql.startsWith(refText(items[k]!), r.offset), `reference ${k}`));
      assert.ok(sql.startsWith(refMarker('base'), a.relations[0]!.offset));
    }),
    { numRuns: 300 },
  );
});

test('a syntax error points at the offending token, whatever characters precede it', () => {
  fc.assert(
    fc.property(anyText, (text) => {
      const sql = `select '${text.replaceAll("'", "''")}' as s, 1 frm ${refMarker('base')}`;
      const a = analyzeModel(sql, catalog);
      assert.equal(a.problems[0]?.kind, 'syntax');
      assert.ok(sql.startsWith(refMarker('base'), a.problems[0]!.offset));
    }),
    { numRuns: 200 },
  );
});

test('names not in the known relation go to the one unknown relation, or stay unknown when there are two', () => {
  const other: Catalog = (r) => (relationKey(r) === 'ref:base' ? BASE : undefined);
  fc.assert(
    fc.property(fc.array(fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/), { minLength: 1, maxLength: 6 }), fc.boolean(), (names, twoUnknown) => {
      const unique = [...new Set(names)];
      const from = `${refMarker('base')} b, ${refMarker('u1')} u${twoUnknown ? `, ${refMarker('u2')} v` : ''}`;
      const a = analyzeModel(`select ${unique.map((n) => quoteIdent(n)).join(', ')} from ${from}`, other);
      assert.deepEqual(a.problems, []);
      a.columns!.forEach((c, k) => {
        const name = unique[k]!;
        const inBase = BASE.some((b) => b.name === name);
        const owner = inBase ? 'base' : twoUnknown ? null : 'u1';
        assert.deepEqual(c.lineage, owner === null ? null : { kind: 'copy', sources: [{ relation: { kind: 'ref', name: owner }, column: name }] });
      });
    }),
    { numRuns: 200 },
  );
});

/** Queries of every construct nested at random, with names that may or may not exist. */
const query: fc.Arbitrary<string> = fc.letrec<{ q: string; from: string; e: string }>((tie) => ({
  q: fc.oneof(
    { depthSize: 'small' },
    fc.tuple(fc.array(tie('e'), { minLength: 1, maxLength: 4 }), tie('from'), fc.option(tie('e'), { nil: undefined }))
      .map(([items, from, where]) => `select ${items.map((e, i) => `${e} as c${i % 3}`).join(', ')} from ${from}${where ? ` where ${where}` : ''}`),
    tie('from').map((from) => `select * from ${from}`),
    fc.tuple(tie('q'), tie('q')).map(([a, b]) => `(${a}) union all (${b})`),
    fc.tuple(tie('q'), tie('q')).map(([a, b]) => `with w as (${a}) select w.* from w, lateral (${b}) l`),
    fc.tuple(tie('q')).map(([a]) => `with recursive r as (${a} union all select r.* from r) select * from r`),
    fc.constant("values (1, 'a'), (2, 'b')"),
  ),
  from: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(`${refMarker('base')} b`, `${refMarker('nowhere')} n`, 'raw.thing t', 'generate_series(1, 3) g', 'unnest(array[1, 2]) as u(x)', 'json_each(\'{}\') j'),
    tie('q').map((q) => `(${q}) s`),
    fc.tuple(tie('from'), tie('from')).map(([a, b]) => `${a} cross join ${b.replace(/ (\w+)$/, ' $1_r')}`),
    fc.tuple(tie('from'), tie('from'), fc.constantFrom('join', 'left join', 'full join', 'natural join')).map(([a, b, j]) => `${a} ${j} ${b.replace(/ (\w+)$/, ' $1_j')}${j === 'natural join' ? '' : ' using (id)'}`),
  ),
  e: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('id', 'b.id', 'amount', 'x', 'nosuch', 'b.nosuch', 's.c0', 'n.anything', '1', "'x'", 'count(*)', 'b.*', 'g', 'w.c1'),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `coalesce(${a}, ${b})`),
    tie('e').map((a) => `(${a})::text`),
    tie('q').map((q) => `(select c0 from (${q}) z limit 1)`),
    tie('q').map((q) => `exists (${q})`),
    tie('e').map((a) => `sum(${a}) over (partition by ${a})`),
  ),
})).q;

test('any query of these constructs is analyzed without failing, every position inside the text', () => {
  fc.assert(
    fc.property(query, (sql) => {
      const a = analyzeModel(sql, catalog);
      for (const at of [...a.references, ...a.relations, ...a.problems]) assert.ok(at.offset >= 0 && at.offset <= sql.length, `offset ${at.offset}`);
      assert.deepEqual(analyzeModel(sql, catalog), a, 'deterministic');
    }),
    { numRuns: 500 },
  );
});
