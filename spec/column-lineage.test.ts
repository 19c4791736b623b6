/**
 * SQL comprehension on real projects. Every model of the Amazon project and of jaffle_shop
 * is analyzed as compile renders it: all output columns known, no problems, the lineage of
 * gold columns as written by hand below, every documented column produced, a column removed
 * upstream caught where it is read. Then, on each engine, every model is created as a view
 * and PostgreSQL's own answer (names and types of the columns) must match the analysis; so
 * must the names and types of a few hundred generated select-list expressions.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { loadSqlParser } from '../src/sql/parser.ts';
import { compileProject, publishedSql } from '../src/api/compile.ts';
import { addSnapshotColumns, projectCatalog } from '../src/compile/comprehend.ts';
import type { CompiledProject } from '../src/compile/compile.ts';
import { publishedRelation } from '../src/compile/relations.ts';
import type { Engine } from '../src/engine/engine.ts';
import { analyzeModel, type Catalog, type ModelAnalysis } from '../src/sql/analyze.ts';
import { relationKey, relationLabel } from '../src/sql/model-sql.ts';
import { lineAndColumn } from '../src/sql/offsets.ts';
import { analyzeModels, ColumnGraph } from '../src/sql/project-lineage.ts';
import { JAFFLE, REPO, runCli, targets, useSpecProject, withEngine } from './support.ts';

// The projects are analyzed while the tests are declared.
await loadSqlParser();

/** Compile analyzes every model; the spec reads its analyses and re-analyzes edited copies. */
async function analyzeProject(dir: string) {
  const { compiled, analyses } = compileProject({ projectDir: dir, writeArtifacts: false });
  const models = compiled.order.flatMap((n) => (compiled.models.has(n) ? [compiled.models.get(n)!] : []));
  return { compiled, models, analyses };
}

/** `kind(source, …)` with sources sorted, as the expectations below are written. */
function lineage(a: ModelAnalysis, column: string): string {
  const c = a.columns?.find((x) => x.name === column);
  assert.ok(c, `no column ${column}`);
  if (!c.lineage) return '?';
  const sources = c.lineage.sources.map((s) => `${relationLabel(s.relation)}.${s.column}`).sort();
  return `${c.lineage.kind}(${sources.join(', ')})${c.lineage.partial ? '+?' : ''}`;
}

/**
 * Gold columns' lineage, written by hand from the models' SQL (one hop: the parent columns
 * each value is computed from). When the scoring changes, update the line of the column.
 */
const AMAZON_GOLD: Record<string, string> = {
  'review_rank.helpfulness_score':
    'transform(fact_reviews.images_component, fact_reviews.rating, fact_reviews.recency_component, fact_reviews.sentiment_component, fact_reviews.substance_component, fact_reviews.verified_component, fact_reviews.votes_component)',
  'fact_reviews.votes_component': 'transform(silver_reviews.helpful_votes, silver_reviews.total_votes)',
  'fact_reviews.review_id': 'copy(silver_reviews.review_id)',
  'fact_reviews.sentiment_label': 'copy(review_features.sentiment_label)',
  'fact_reviews._batch_id': 'transform()',
  'dim_product.bayes_avg_rating': 'transform(fact_reviews.rating)',
  'dim_product.most_helpful_review_id': 'copy(review_rank.review_id)',
  'dim_product.review_count': 'transform()',
  'dim_buyer.verified_share': 'transform(fact_reviews.verified_purchase)',
  'review_rank.rank_in_product':
    'transform(fact_reviews.created_at, fact_reviews.helpful_votes, fact_reviews.images_component, fact_reviews.product_id, fact_reviews.rating, fact_reviews.recency_component, fact_reviews.review_id, fact_reviews.sentiment_component, fact_reviews.substance_component, fact_reviews.verified_component, fact_reviews.votes_component)',
  'review_rank.rank_recent': 'transform(fact_reviews.created_at, fact_reviews.product_id, fact_reviews.review_id)',
  'review_detail.rank_recent': 'copy(review_rank.rank_recent)',
  'product_top_reviews.product_title': 'copy(dim_product.title)',
  'product_top_reviews.body_excerpt': 'transform(silver_reviews.body)',
};

const amazonAnalysis = await analyzeProject(REPO);
const jaffleAnalysis = await analyzeProject(JAFFLE);

describe('the Amazon project, analyzed at compile time', () => {
  const { compiled, models, analyses } = amazonAnalysis;

  test('every model: all output columns known, no problem', () => {
    for (const m of models) {
      const a = analyses.get(m.name)!;
      assert.deepEqual(a.problems, [], m.name);
      assert.ok(a.columns, `${m.name}: columns unknown`);
    }
  });

  test('gold lineage matches the hand-written expectation', () => {
    for (const [key, expected] of Object.entries(AMAZON_GOLD)) {
      const [model, column] = key.split('.') as [string, string];
      assert.equal(lineage(analyses.get(model)!, column), expected, key);
    }
  });

  test('every gold column has a complete lineage', () => {
    for (const m of models.filter((x) => x.layer === 'gold')) {
      for (const c of analyses.get(m.name)!.columns!) {
        assert.ok(c.lineage && !c.lineage.partial, `${m.name}.${c.name}: ${JSON.stringify(c.lineage)}`);
      }
    }
  });

  test('the helpfulness score traces back to the source columns it is computed from', () => {
    const graph = new ColumnGraph(analyses);
    const leaves = new Set<string>();
    const edges = graph.upstream({ relation: 'ref:review_rank', column: 'helpfulness_score' });
    const targetsOf = new Set(edges.map((e) => `${e.to.relation}.${e.to.column}`));
    for (const e of edges) if (!targetsOf.has(`${e.from.relation}.${e.from.column}`)) leaves.add(`${e.from.relation}.${e.from.column}`);
    assert.deepEqual([...leaves].sort(), [
      'amazon.review.body', 'amazon.review.created_at', 'amazon.review.helpful_votes', 'amazon.review.rating',
      'amazon.review.title', 'amazon.review.total_votes', 'amazon.review.verified_purchase', 'ref:afinn.valence', 'ref:learned_sentiment.weight',
      // count(*) of a review's images: computed from rows, from no column
      'ref:review_features.image_count',
    ]);
    const fed = graph.downstream({ relation: 'amazon.review', column: 'helpful_votes' }).map((e) => `${e.to.relation}.${e.to.column}`);
    for (const c of ['ref:review_rank.helpfulness_score', 'ref:review_rank.rank_in_product', 'ref:product_top_reviews.helpful_votes']) assert.ok(fed.includes(c), c);
  });

  test('every column documented or tested in schema.yml is one the model produces', () => {
    for (const [name, doc] of compiled.project.docs) {
      const produced = new Set(analyses.get(name)!.columns!.map((c) => c.name));
      for (const c of doc.columns) assert.ok(produced.has(c.name), `${name}.${c.name}`);
      for (const t of doc.columns.flatMap((c) => c.tests).filter((t) => t.kind === 'relationships')) {
        const to = analyses.get(String(t.args.to));
        assert.ok(to?.columns?.some((c) => c.name === t.args.field), `${name}: relationships to ${String(t.args.to)}.${String(t.args.field)}`);
      }
    }
  });

  test('a column removed upstream is caught where a downstream model reads it, with its line', () => {
    const edited = models.map((m) => (m.name === 'silver_reviews' ? { ...m, sql: m.sql.replace(/\n\s*c\.verified_purchase,/, '') } : m));
    const after = analyzeModels(edited, projectCatalog(compiled.project), (name, a) => {
      if (compiled.models.get(name)?.config.materialized === 'snapshot') addSnapshotColumns(a);
    });
    assert.ok(!after.get('silver_reviews')!.columns!.some((c) => c.name === 'verified_purchase'));
    const found = [...after].flatMap(([model, a]) =>
      a.problems.map((p) => {
        const sql = edited.find((m) => m.name === model)!.sql;
        const { line, column } = lineAndColumn(sql, p.offset);
        return { model, line, column, kind: p.kind, relation: p.relation && relationLabel(p.relation), missing: p.column, text: sql.split('\n')[line - 1]!.trim() };
      }),
    );
    const fact = models.find((m) => m.name === 'fact_reviews')!.sql.split('\n');
    const line = fact.findIndex((l) => l.trim() === 'r.verified_purchase,') + 1;
    assert.deepEqual(found, [{
      model: 'fact_reviews', line, column: fact[line - 1]!.indexOf('r.') + 1, kind: 'missing-column',
      relation: 'silver_reviews', missing: 'verified_purchase', text: 'r.verified_purchase,',
    }]);
  });
});

describe('jaffle_shop, analyzed at compile time', () => {
  const { models, analyses } = jaffleAnalysis;

  test('every model, the ephemeral one too: columns known, lineage through the ephemeral', () => {
    for (const m of models) assert.deepEqual(analyses.get(m.name)!.problems, [], m.name);
    assert.equal(lineage(analyses.get('stg_customers')!, 'customer_id'), 'copy(raw_customers.id)');
    assert.equal(lineage(analyses.get('stg_payments')!, 'amount'), 'transform(raw_payments.amount)');
    assert.equal(lineage(analyses.get('orders')!, 'amount'), 'transform(stg_payments.amount)');
    assert.equal(lineage(analyses.get('orders')!, 'is_completed'), 'transform(stg_orders.status)');
    assert.equal(lineage(analyses.get('customers')!, 'customer_id'), 'copy(stg_customers.customer_id)');
    assert.equal(lineage(analyses.get('customers')!, 'lifetime_value'), 'transform(orders.amount)');
    assert.equal(lineage(analyses.get('customers')!, 'order_count'), 'transform(orders.order_id)');
  });
});

async function relationColumns(engine: Engine, relation: string): Promise<{ name: string; type: string }[]> {
  const { rows } = await engine.query<{ name: string; type: string }>(
    `select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute
     where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum`,
    [relation],
  );
  return rows;
}

/** The analysis' columns where it claims a type, PostgreSQL's type there too. */
function comparable(analysis: { name: string; type?: string }[], actual: { name: string; type: string }[]) {
  return {
    analysis: analysis.map((c) => `${c.name}${c.type ? ` ${c.type}` : ''}`),
    actual: actual.map((c, i) => `${c.name}${analysis[i]?.type ? ` ${c.type}` : ''}`),
  };
}

/** Creates every non-ephemeral model as a view where it is published, in order. */
async function createViews(engine: Engine, compiled: CompiledProject, analyses: Map<string, ModelAnalysis>): Promise<number> {
  let checked = 0;
  for (const layer of compiled.project.config.layers) await engine.exec(`create schema if not exists "${layer.schema}"`);
  for (const name of compiled.order) {
    const m = compiled.models.get(name);
    if (!m || m.config.materialized === 'ephemeral') continue;
    const relation = publishedRelation(compiled, name);
    const sql = publishedSql(compiled, m.sql, name);
    // A snapshot publishes its columns and when each version was valid.
    const body = m.config.materialized === 'snapshot' ? `select s.*, now() as valid_from, null::timestamptz as valid_to from (${sql}) s` : sql;
    await engine.exec(`create view ${relation} as ${body}`);
    const { analysis, actual } = comparable(analyses.get(name)!.columns!, await relationColumns(engine, relation));
    assert.deepEqual(analysis, actual, name);
    checked++;
  }
  return checked;
}

/** Select-list expressions over t; PostgreSQL names and types each one. */
const COLUMNS = ['id', 'amount', 'status', 'created_at', 'flag', 'words', 'payload', 'qty'];
const expression: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...COLUMNS.map((c) => `t.${c}`), ...COLUMNS, "'x'", '1', '2.5', 'null', 'true', '9999999999', 'current_date', 'now()'),
    fc.tuple(tie('e'), fc.constantFrom('bigint', 'int', 'text', 'numeric(10, 2)', 'numeric', 'varchar(4)', 'varchar', 'float8', 'real', 'date', 'timestamptz', 'timestamp(3)', 'boolean', 'char', 'bpchar', 'int2')).map(([e, t]) => `(${e})::${t}`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `coalesce(${a}::text, ${b}::text)`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `case when t.flag then ${a}::text else ${b}::text end`),
    tie('e').map((e) => `case when t.flag then (${e})::text end`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `(${a})::text = (${b})::text`),
    tie('e').map((e) => `(${e}) is null`),
    fc.constantFrom('count(*)', 'sum(t.amount)', 'row_number() over ()', 'rank() over (order by t.id)', 'max(t.status)'),
    fc.constantFrom("(select max(s.qty) from t s)", 'exists (select 1 from t s where s.id = t.id)', 'array(select s.id from t s)', 't.id in (1, 2)'),
    fc.constantFrom('t.words[1]', 'nullif(t.status, \'\')', "greatest(t.qty, 1)", 'row(t.id, t.qty)', 't.status collate "C"', 'extract(epoch from t.created_at)', "lower(t.status)", 'concat(t.status, 1)', 't'),
    fc.constantFrom('t.*::text', 'row_to_json(t.*)', 'count(t.*)', '(t).qty', 'localtimestamp(3)', 'current_user', "position('a' in t.status)", "trim(both ' ' from t.status)", "t.created_at at time zone 'utc'", '-t.qty', "t.status || 'x'"),
  ),
})).e;

for (const factory of targets()) {
  describe(`the analysis agrees with PostgreSQL on ${factory.name}`, () => {
    const amazon = useSpecProject(factory, REPO, async (s) => {
      const r = await runCli(['seed'], { projectDir: s.project, target: s.target });
      assert.equal(r.code, 0, r.stderr);
    });

    test('every Amazon model as a view: the same column names, and the types the analysis claims', async () => {
      const { compiled, analyses } = await analyzeProject(amazon.project);
      const checked = await withEngine(amazon.target, (e) => createViews(e, compiled, analyses));
      assert.equal(checked, [...compiled.models.values()].filter((m) => m.config.materialized !== 'ephemeral').length);
    });

    test('generated select-list expressions: the same names and claimed types', async () => {
      await withEngine(amazon.target, async (engine) => {
        await engine.exec(`create table t (id bigint, amount numeric(12,2), status text, created_at timestamptz, flag boolean,
          words text[], payload json, qty integer)`);
        const catalog: Catalog = (r) => (relationKey(r) === 't' ? [
          { name: 'id', type: 'bigint' }, { name: 'amount', type: 'numeric(12,2)' }, { name: 'status', type: 'text' },
          { name: 'created_at', type: 'timestamp with time zone' }, { name: 'flag', type: 'boolean' }, { name: 'words', type: 'text[]' },
          { name: 'payload', type: 'json' }, { name: 'qty', type: 'integer' },
        ] : undefined);
        let compared = 0;
        for (const e of fc.sample(expression, { numRuns: 150, seed: 15 })) {
          const sql = `select ${e} from t`;
          const a = analyzeModel(sql, catalog);
          assert.deepEqual(a.problems, [], sql);
          const view = `v${compared}`;
          try {
            await engine.exec(`create view ${view} as ${sql}`);
          } catch {
            continue; // PostgreSQL refuses some generated ones (an aggregate beside a plain column, a cast it has not)
          }
          const { analysis, actual } = comparable(a.columns!, await relationColumns(engine, view));
          assert.deepEqual(analysis, actual, sql);
          compared++;
        }
        assert.ok(compared > 80, `${compared} expressions compared`);
        console.log(`${compared} generated expressions compared with ${factory.name}`);
      });
    });

    describe('jaffle_shop', () => {
      const jaffle = useSpecProject(factory, JAFFLE, async (s) => {
        const r = await runCli(['seed'], { projectDir: s.project, target: s.target });
        assert.equal(r.code, 0, r.stderr);
      });
      test('every model as a view: the same columns', async () => {
        const { compiled, analyses } = await analyzeProject(jaffle.project);
        assert.equal(await withEngine(jaffle.target, (e) => createViews(e, compiled, analyses)), 4);
      });
    });
  });
}
