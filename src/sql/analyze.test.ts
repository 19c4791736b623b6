import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { loadSqlParser } from './parser.ts';
import { refMarker } from '../compile/placeholders.ts';
import { analyzeModel, type Catalog, type CatalogColumn, type ColumnLineage, type ModelAnalysis } from './analyze.ts';
import { relationKey, relationLabel } from './model-sql.ts';

before(() => loadSqlParser());

const TABLES: Record<string, CatalogColumn[]> = {
  'ref:orders': [
    { name: 'id', type: 'bigint' },
    { name: 'customer_id', type: 'bigint' },
    { name: 'amount', type: 'numeric(12,2)' },
    { name: 'status', type: 'text' },
    { name: 'created_at', type: 'timestamp with time zone' },
  ],
  'ref:customers': [{ name: 'id', type: 'bigint' }, { name: 'name', type: 'text' }, { name: 'country', type: 'text' }],
  'ref:payments': [{ name: 'id', type: 'bigint' }, { name: 'order_id', type: 'bigint' }, { name: 'amount', type: 'numeric(12,2)' }, { name: 'method' }],
  'ref:docs': [{ name: 'id', type: 'bigint' }, { name: 'words', type: 'text[]' }, { name: 'prev', type: 'text[]' }, { name: 'payload', type: 'json' }],
  'raw.items': [{ name: 'sku', type: 'text' }, { name: 'qty', type: 'integer' }],
  orders: [{ name: 'plain_table_column' }],
};
const catalog: Catalog = (r) => TABLES[relationKey(r)];

/** `{{name}}` stands for a ref, as compile renders it. */
const render = (sql: string): string => sql.replace(/\{\{(\w+)\}\}/g, (_, name: string) => refMarker(name));
const analyze = (sql: string, cat: Catalog = catalog): ModelAnalysis => analyzeModel(render(sql), cat);

function fmt(l: ColumnLineage | null): string {
  if (!l) return '?';
  return `${l.kind}(${l.sources.map((s) => `${relationLabel(s.relation)}.${s.column}`).join(', ')})${l.partial ? '+?' : ''}`;
}
/** Output columns as `name type <- kind(sources)`, for compact expectations. */
function columns(a: ModelAnalysis): string[] | null {
  return a.columns?.map((c) => `${c.name}${c.type ? ` ${c.type}` : ''} <- ${fmt(c.lineage)}`) ?? null;
}
const problems = (a: ModelAnalysis): string[] => a.problems.map((p) => `${p.kind}: ${p.message}`);
const names = (a: ModelAnalysis): string[] | undefined => a.columns?.map((c) => c.name);
function clean(sql: string, cat?: Catalog): ModelAnalysis {
  const a = analyze(sql, cat);
  assert.deepEqual(problems(a), []);
  return a;
}

describe('output columns', () => {
  test('select-list items are named as PostgreSQL names them', () => {
    const a = analyze(`select o.id, o.amount * 2, count(*), coalesce(o.status, 'x'), case when true then o.status end,
      case when true then 1 else o.amount end, o.amount::int, 1::bigint, (select max(p.amount) from {{payments}} p),
      exists (select 1), array[1], row(1), nullif(1, 2), greatest(1, 2), current_date, o.status collate "C",
      extract(epoch from o.created_at), 'x', o.amount as total
      from {{orders}} o group by o.id`);
    assert.deepEqual(names(a), [
      'id', '?column?', 'count', 'coalesce', 'case', 'amount', 'amount', 'int8', 'max', 'exists', 'array', 'row',
      'nullif', 'greatest', 'current_date', 'status', 'extract', '?column?', 'total',
    ]);
  });

  test('types are known for casts, copies of typed columns and results of one type only', () => {
    const a = clean(`select o.id, o.amount::numeric(10, 2) as a, o.status::varchar(3) as b, o.created_at::date as c,
      1 as i, 1.5 as n, 'x' as t, true as bool, o.amount > 0 as cmp, o.status is null as isnull, count(*) as cnt,
      row_number() over () as rn, now() as ts, o.method_free::text[] as arr, sum(o.amount) as s, null as nothing,
      coalesce(o.customer_id, o.id) as co, case when o.id > 0 then 'a' else 'b' end as cs,
      o.id in (1, 2) as inlist, 9999999999 as big
      from (select *, null as method_free from {{orders}}) o group by o.id, o.amount, o.status, o.created_at, o.customer_id, o.method_free`);
    const types = Object.fromEntries(a.columns!.map((c) => [c.name, c.type]));
    assert.deepEqual(types, {
      id: 'bigint', a: 'numeric(10,2)', b: 'character varying(3)', c: 'date', i: 'integer', n: 'numeric', t: 'text',
      bool: 'boolean', cmp: 'boolean', isnull: 'boolean', cnt: 'bigint', rn: 'bigint', ts: 'timestamp with time zone',
      arr: 'text[]', s: undefined, nothing: 'text', co: 'bigint', cs: 'text', inlist: 'boolean', big: 'bigint',
    });
  });

  test('`*` and `t.*` expand from relations whose columns are known', () => {
    const a = clean('select * from {{customers}}');
    assert.deepEqual(columns(a), ['id bigint <- copy(customers.id)', 'name text <- copy(customers.name)', 'country text <- copy(customers.country)']);
    const b = clean('select c.*, o.amount from {{customers}} c join {{orders}} o on o.customer_id = c.id');
    assert.deepEqual(names(b), ['id', 'name', 'country', 'amount']);
    assert.deepEqual(
      b.references.filter((r) => r.star).map((r) => r.column),
      ['id', 'name', 'country'],
    );
  });

  test('a `*` over a relation of unknown columns leaves the columns unknown, not guessed', () => {
    const a = clean('select e.*, c.name from {{events}} e join {{customers}} c on c.id = e.customer_id');
    assert.equal(a.columns, null);
    assert.deepEqual(a.references.map((r) => `${relationLabel(r.relation)}.${r.column}`), ['customers.id', 'events.customer_id', 'customers.name']);
  });

  test('`select *` with no FROM is reported', () => {
    assert.deepEqual(problems(analyze('select *')), ['missing-relation: SELECT * with no tables specified is not valid']);
  });

  test('a column name produced twice is reported where the second is written', () => {
    const sql = 'select o.id, o.customer_id as id from {{orders}} o';
    const a = analyze(sql);
    assert.deepEqual(problems(a), ['duplicate-column: column `id` is produced more than once; name each output column once']);
    assert.equal(render(sql).slice(a.problems[0]!.offset).startsWith('o.customer_id as id'), true);
  });

  test('a statement that is not one SELECT yields nothing to analyze', () => {
    assert.deepEqual(analyze('select 1; select 2'), { columns: null, relations: [], references: [], problems: [] });
    assert.deepEqual(analyze('delete from x'), { columns: null, relations: [], references: [], problems: [] });
  });
});

describe('lineage', () => {
  test('a copy (renamed or not), a cast, a transformation and a constant', () => {
    const a = clean(`select o.id, o.status as state, o.amount::float8 as amount, o.amount * 1.2 + p.amount as gross, 42 as answer
      from {{orders}} o join {{payments}} p on p.order_id = o.id`);
    assert.deepEqual(columns(a), [
      'id bigint <- copy(orders.id)',
      'state text <- copy(orders.status)',
      'amount double precision <- cast(orders.amount)',
      'gross <- transform(orders.amount, payments.amount)',
      'answer integer <- transform()',
    ]);
  });

  test('through a chain of CTEs', () => {
    const a = clean(`with a as (select id as k, amount from {{orders}}),
      b as (select k, amount * 2 as double from a),
      c as (select k as key, double::numeric(14, 2) as double from b)
      select * from c`);
    assert.deepEqual(columns(a), ['key bigint <- copy(orders.id)', 'double numeric(14,2) <- transform(orders.amount)']);
  });

  test('a CTE shadows a table of the same name; without RECURSIVE a later CTE is not visible', () => {
    assert.deepEqual(columns(clean('with orders as (select 1 as one) select * from orders')), ['one integer <- transform()']);
    const a = clean('with a as (select * from b), b as (select 1 as x) select * from a');
    assert.equal(a.columns, null);
    assert.deepEqual(a.relations.map((r) => relationKey(r.relation)), ['b']);
  });

  test('a recursive CTE: each column gathers its lineage from both branches, transitively', () => {
    const a = clean(`with recursive tree(id, parent, depth) as (
        select c.id, null::bigint, 0 from {{customers}} c
        union all
        select t.id, o.customer_id, t.depth + 1 from tree t join {{orders}} o on o.id = t.id
      ) select * from tree`);
    assert.deepEqual(columns(a), ['id bigint <- copy(customers.id)', 'parent bigint <- transform(orders.customer_id)', 'depth integer <- transform()']);
    const swap = clean(`with recursive r(a, b) as (select o.id, o.customer_id from {{orders}} o union all select r.b, r.a from r)
      select r.a, r.b from r`);
    assert.deepEqual(columns(swap), ['a bigint <- copy(orders.id, orders.customer_id)', 'b bigint <- copy(orders.customer_id, orders.id)']);
    const inExists = clean(`select exists (with recursive r(n) as (select o.id from {{orders}} o union all select r.n from r where r.n > 0)
      select 1 from r) as any_order`);
    assert.deepEqual(columns(inExists), ['any_order boolean <- transform(orders.id)']);
  });

  test('a subquery in FROM, with column aliases', () => {
    const a = clean('select s.x, s.y from (select id, amount from {{orders}}) as s(x, y)');
    assert.deepEqual(columns(a), ['x bigint <- copy(orders.id)', 'y numeric(12,2) <- copy(orders.amount)']);
    assert.deepEqual(problems(analyze('select * from (select id from {{orders}}) s(a, b)')), [
      'column-count: `s` has 1 columns available but 2 columns specified',
    ]);
    assert.deepEqual(columns(clean('select * from {{customers}} as c(key)')), [
      'key bigint <- copy(customers.id)', 'name text <- copy(customers.name)', 'country text <- copy(customers.country)',
    ]);
  });

  test('LATERAL sees the FROM items before it; a plain subquery does not', () => {
    const sql = `select c.id, l.total from {{customers}} c
      cross join lateral (select sum(o.amount) as total from {{orders}} o where o.customer_id = c.id) l`;
    const a = clean(sql);
    assert.deepEqual(columns(a), ['id bigint <- copy(customers.id)', 'total <- transform(orders.amount)']);
    const correlated = a.references.find((r) => r.column === 'id' && render(sql).slice(r.offset).startsWith('c.id)'));
    assert.ok(correlated, 'the correlated reference is recorded where it is written');
    assert.deepEqual(problems(analyze('select s.* from {{customers}} c, (select c.id) s')), [
      'missing-relation: missing FROM-clause entry for `c` in `c.id`',
    ]);
  });

  test('JOIN … USING merges the columns: the left one, the right one or both (FULL)', () => {
    assert.deepEqual(columns(clean('select id from {{orders}} join {{payments}} using (id)')), ['id bigint <- copy(orders.id)']);
    assert.deepEqual(columns(clean('select id from {{orders}} right join {{payments}} using (id)')), ['id bigint <- copy(payments.id)']);
    assert.deepEqual(columns(clean('select id from {{orders}} full join {{payments}} using (id)')), ['id bigint <- transform(orders.id, payments.id)']);
    const star = analyze('select * from {{orders}} o join {{payments}} p using (id)');
    assert.deepEqual(names(star), ['id', 'customer_id', 'amount', 'status', 'created_at', 'order_id', 'amount', 'method']);
    assert.deepEqual(problems(star), ['duplicate-column: column `amount` is produced more than once; name each output column once']);
    assert.deepEqual(problems(analyze('select 1 from {{orders}} join {{payments}} using (method)')), [
      'missing-column: column `method` specified in USING does not exist in the left side (orders)',
    ]);
  });

  test('NATURAL JOIN merges every common column', () => {
    assert.deepEqual(names(clean('select * from {{orders}} natural join {{payments}}')), ['id', 'amount', 'customer_id', 'status', 'created_at', 'order_id', 'method']);
  });

  test('a join alias hides the joined relations; a USING alias names the merged columns', () => {
    assert.deepEqual(columns(clean('select j.id, j.method from ({{orders}} o join {{payments}} p using (id)) j')), [
      'id bigint <- copy(orders.id)', 'method <- copy(payments.method)',
    ]);
    assert.deepEqual(problems(analyze('select o.id from ({{orders}} o join {{payments}} p using (id)) as j')), [
      'missing-relation: missing FROM-clause entry for `o` in `o.id`',
    ]);
    assert.deepEqual(columns(clean('select x.id from {{orders}} o join {{payments}} p using (id) as x')), ['id bigint <- copy(orders.id)']);
  });

  test('an unqualified column found in two known relations is ambiguous', () => {
    assert.deepEqual(problems(analyze('select amount from {{orders}} o join {{payments}} p on p.order_id = o.id')), [
      'ambiguous-column: column reference `amount` is ambiguous',
    ]);
  });

  test('unnest(…) as t(x, y) with ordinality, and other set-returning functions', () => {
    const a = clean(`select t.word, t.previous, t.n from {{docs}} d
      cross join lateral unnest(d.words, d.prev) with ordinality as t(word, previous, n)`);
    assert.deepEqual(columns(a), ['word text <- transform(docs.words)', 'previous text <- transform(docs.prev)', 'n bigint <- transform()']);
    assert.deepEqual(names(clean('select * from generate_series(1, 3) g')), ['g']);
    assert.deepEqual(names(clean('select * from {{docs}} d, unnest(d.words)')), ['id', 'words', 'prev', 'payload', 'unnest']);
    assert.deepEqual(columns(clean('select e.key, e.value from {{docs}} d, json_each(d.payload) e')), [
      'key <- transform(docs.payload)', 'value <- transform(docs.payload)',
    ]);
    assert.deepEqual(columns(clean('select r.* from {{docs}} d, json_to_record(d.payload) as r(a int, b text)')), [
      'a integer <- transform(docs.payload)', 'b text <- transform(docs.payload)',
    ]);
    // A function this analysis does not know: its columns stay unknown.
    assert.equal(clean('select * from my_function(1) f').columns, null);
    assert.deepEqual(columns(clean('select f.a from {{docs}} d, my_function(d.id) as f(a)')), ['a <- transform(docs.id)+?']);
  });

  test('VALUES, alone and in FROM', () => {
    assert.deepEqual(columns(clean("values (1, 'a'), (2, 'b')")), ['column1 integer <- transform()', 'column2 text <- transform()']);
    assert.deepEqual(columns(clean("select v.n, v.s from (values (1, 'a')) as v(n, s)")), ['n integer <- transform()', 's text <- transform()']);
  });

  test('UNION, INTERSECT, EXCEPT: names from the first branch, lineage from all', () => {
    const a = clean('select id, amount from {{orders}} union all select order_id, amount from {{payments}} intersect select 1, 2.0');
    assert.deepEqual(columns(a), ['id <- transform(orders.id, payments.order_id)', 'amount <- transform(orders.amount, payments.amount)']);
    const b = clean('select id, amount from {{orders}} except select order_id as x, amount as y from {{payments}}');
    assert.deepEqual(columns(b), ['id bigint <- copy(orders.id, payments.order_id)', 'amount numeric(12,2) <- copy(orders.amount, payments.amount)']);
    assert.deepEqual(problems(analyze('select id from {{orders}} union select id, name from {{customers}}')), [
      'column-count: each UNION query must have the same number of columns: 1 and 2',
    ]);
  });

  test('window functions: named windows, references to them, inline windows', () => {
    const a = clean(`select o.id,
        row_number() over w as rn,
        rank() over (w order by o.amount desc) as rk,
        sum(o.amount) over (partition by o.status) as per_status
      from {{orders}} o
      window w as (partition by o.customer_id)`);
    assert.deepEqual(columns(a), [
      'id bigint <- copy(orders.id)',
      'rn bigint <- transform(orders.customer_id)',
      'rk bigint <- transform(orders.customer_id, orders.amount)',
      'per_status <- transform(orders.amount, orders.status)',
    ]);
  });

  test('aggregates with FILTER and ORDER BY; count(*) reads no column', () => {
    const a = clean(`select count(*) as n, count(*) filter (where o.status = 'paid') as paid,
      string_agg(o.status, ',' order by o.created_at) as statuses, count(o.*) as rows from {{orders}} o`);
    assert.deepEqual(columns(a), [
      'n bigint <- transform()',
      'paid bigint <- transform(orders.status)',
      'statuses <- transform(orders.status, orders.created_at)',
      'rows bigint <- transform(orders.id, orders.customer_id, orders.amount, orders.status, orders.created_at)',
    ]);
  });

  test('GROUP BY and ORDER BY ordinals and output names', () => {
    clean('select o.customer_id as cust, sum(o.amount) as total from {{orders}} o group by 1 order by 2 desc, total');
    clean('select o.customer_id as cust, sum(o.amount) as total from {{orders}} o group by cust order by cust');
    // GROUP BY prefers the input column: `status` here is orders.status, not the output alias.
    const a = clean("select o.id, 'x' as status from {{orders}} o group by status, o.id");
    assert.ok(a.references.some((r) => r.column === 'status'));
    assert.deepEqual(problems(analyze('select o.id from {{orders}} o order by nothing_here')), [
      'unknown-column: column `nothing_here` does not exist',
    ]);
  });

  test('CASE, COALESCE, NULLIF and casts', () => {
    const a = clean(`select case when o.status = 'paid' then o.amount else 0 end as paid_amount,
      coalesce(o.amount, p.amount) as amount, nullif(o.status, '') as status, o.id::text::bigint as id
      from {{orders}} o left join {{payments}} p on p.order_id = o.id`);
    assert.deepEqual(columns(a), [
      'paid_amount <- transform(orders.status, orders.amount)',
      // numeric(12,2) on both sides: a type with a modifier is not claimed for a merged value
      'amount <- transform(orders.amount, payments.amount)',
      'status <- transform(orders.status)',
      'id bigint <- cast(orders.id)',
    ]);
  });

  test('scalar and EXISTS subqueries, correlated, in the select list and WHERE', () => {
    const a = clean(`select c.id,
        (select max(o.amount) from {{orders}} o where o.customer_id = c.id) as biggest,
        exists (select 1 from {{orders}} o where o.customer_id = c.id and o.status = 'paid') as has_paid,
        c.id in (select p.order_id from {{payments}} p) as paid_once
      from {{customers}} c
      where exists (select 1 from {{payments}} p where p.order_id = c.id)`);
    assert.deepEqual(columns(a), [
      'id bigint <- copy(customers.id)',
      'biggest <- transform(orders.amount)',
      'has_paid boolean <- transform(orders.customer_id, customers.id, orders.status)',
      'paid_once boolean <- transform(customers.id, payments.order_id)',
    ]);
  });

  test('DISTINCT ON', () => {
    const a = clean(`select distinct on (o.customer_id) o.customer_id, o.amount
      from {{orders}} o order by o.customer_id, o.created_at desc`);
    assert.deepEqual(names(a), ['customer_id', 'amount']);
    assert.ok(a.references.some((r) => r.column === 'created_at'));
  });

  test('row constructors, whole-row references and qualified schema.table.column', () => {
    const a = clean('select row(o.id, o.amount) as r, (o.id, o.status) as t, o from {{orders}} o');
    assert.deepEqual(columns(a), [
      'r <- transform(orders.id, orders.amount)',
      't <- transform(orders.id, orders.status)',
      'o <- transform(orders.id, orders.customer_id, orders.amount, orders.status, orders.created_at)',
    ]);
    assert.deepEqual(columns(clean('select raw.items.sku, items.qty from raw.items')), ['sku text <- copy(raw.items.sku)', 'qty integer <- copy(raw.items.qty)']);
    assert.deepEqual(columns(clean('select qty from raw.items i')), ['qty integer <- copy(raw.items.qty)']);
  });
});

describe('unknown relations degrade, never guess', () => {
  test('a column of the only relation with unknown columns is pinned to it', () => {
    const a = clean('select e.kind, payload from {{events}} e');
    assert.deepEqual(columns(a), ['kind <- copy(events.kind)', 'payload <- copy(events.payload)']);
  });

  test('an unqualified column not in the known relation is pinned to the unknown one', () => {
    const a = clean('select c.name, kind from {{customers}} c join {{events}} e on e.customer_id = c.id');
    assert.deepEqual(columns(a), ['name text <- copy(customers.name)', 'kind <- copy(events.kind)']);
  });

  test('with two unknown relations an unqualified column has unknown lineage', () => {
    const a = clean('select kind, e.id from {{events}} e, {{clicks}} k');
    assert.deepEqual(columns(a), ['kind <- ?', 'id <- copy(events.id)']);
  });

  test('a name through a `*` over an unknown relation still reaches it', () => {
    const a = clean('with s as (select * from {{events}}), r as (select id as event_id, kind from s) select * from r');
    assert.deepEqual(columns(a), ['event_id <- copy(events.id)', 'kind <- copy(events.kind)']);
  });

  test('a correlated column belongs to the outer query when the inner relation is known', () => {
    const a = clean('select c.id, (select count(*) from {{orders}} o where o.customer_id = id) as n from {{customers}} c');
    assert.deepEqual(columns(a), ['id bigint <- copy(customers.id)', 'n bigint <- transform()']);
    assert.ok(a.references.some((r) => relationLabel(r.relation) === 'orders' && r.column === 'id'), 'orders has an id: it wins');
  });
});

describe('problems at positions', () => {
  test('a column a known parent does not produce names the parent, the column and where it is read', () => {
    const sql = 'select o.id,\n       o.totl\nfrom {{orders}} o';
    const a = analyze(sql);
    assert.equal(a.problems.length, 1);
    const p = a.problems[0]!;
    assert.equal(p.kind, 'missing-column');
    assert.equal(p.message, 'column `o.totl` does not exist: orders has no column `totl`');
    assert.deepEqual(p.relation, { kind: 'ref', name: 'orders' });
    assert.equal(p.column, 'totl');
    assert.equal(render(sql).slice(p.offset, p.offset + 6), 'o.totl');
    assert.match(problems(analyze('select o.amout from {{orders}} o'))[0]!, /did you mean `amount`\?/);
  });

  test('system columns of a table are not reported missing', () => {
    assert.deepEqual(columns(clean('select o.ctid, o.xmin as x from {{orders}} o')), ['ctid <- copy(orders.ctid)', 'x <- copy(orders.xmin)']);
  });

  test('a missing column through a CTE names the CTE', () => {
    assert.deepEqual(problems(analyze('with a as (select id from {{orders}}) select a.amount from a')), [
      'missing-column: column `a.amount` does not exist: `a` has no column `amount`',
    ]);
  });

  test('positions are string indexes of the rendered SQL, whatever characters come before', () => {
    const sql = "select '…é😀' as s, /* ünïcode 💥 */ o.totl from {{orders}} o";
    const a = analyze(sql);
    const p = a.problems[0]!;
    assert.equal(render(sql).slice(p.offset, p.offset + 6), 'o.totl');
    assert.equal(render(sql).slice(a.relations[0]!.offset).startsWith(refMarker('orders')), true);
  });

  test('a syntax error is a problem at its position', () => {
    const sql = "select '😀' as s, o.id frm {{orders}} o";
    const a = analyze(sql);
    assert.equal(a.columns, null);
    assert.equal(a.problems.length, 1);
    assert.equal(a.problems[0]!.kind, 'syntax');
    assert.match(a.problems[0]!.message, /syntax error at or near/);
    assert.equal(render(sql).slice(a.problems[0]!.offset).startsWith(refMarker('orders')), true);
  });

  test('a ref to a model with a long name, and a column qualified by the ref itself', () => {
    const long = `m_${'x'.repeat(70)}`;
    const cat: Catalog = (r) => (r.kind === 'ref' && r.name === long ? [{ name: 'v', type: 'integer' }] : undefined);
    const a = analyze(`select {{${long}}}.v from {{${long}}}`, cat);
    assert.deepEqual(problems(a), []);
    assert.deepEqual(columns(a), [`v integer <- copy(${long}.v)`]);
  });

  test('{{this}} is a relation of its own', () => {
    const a = analyzeModel('select max(t.updated_at) from \u0001this:\u0001 t', (r) => (r.kind === 'this' ? [{ name: 'updated_at' }] : undefined));
    assert.deepEqual(a.relations.map((r) => r.relation), [{ kind: 'this' }]);
    assert.deepEqual(a.problems, []);
  });
});
