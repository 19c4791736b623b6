import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { loadSqlParser } from '../sql/parser.ts';
import { compileTests } from '../checks/compile-tests.ts';
import { testStatus } from '../checks/run-test.ts';
import { compileModels } from '../compile/compile.ts';
import type { Diagnostic } from '../core/errors.ts';
import { loadProject } from './load.ts';
import { meetsCondition } from './schema-docs.ts';
import { tempProject } from '../../spec/temp-project.ts';

const PROJECT = 'name: t\nlayers:\n  staging: {materialized: view}\n  marts: {materialized: view}\n';
const MODELS = {
  'models/staging/stg_orders.sql': 'select 1 as order_id, 1 as customer_id, 10 as amount, \'placed\' as status',
  'models/marts/orders.sql': 'select * from {{ref "stg_orders"}}',
  'models/marts/customers.sql': '{{config tags="from_sql"}}select 1 as customer_id',
};

// Compiling checks every model's SQL with PostgreSQL's parser.
before(() => loadSqlParser());

function load(files: Record<string, string>) {
  const dir = tempProject('yml', { 'project.yaml': PROJECT, ...MODELS, ...files });
  const diagnostics: Diagnostic[] = [];
  const project = loadProject(dir, { diagnostics });
  return { project, problems: diagnostics.map((d) => `${d.file}:${d.line ?? ''}: ${d.message}`) };
}
const problemsOf = (yml: string): string[] => load({ 'models/schema.yml': yml }).problems;

const FULL = `version: 2
models:
  - name: orders
    description: '{{ doc("orders_doc") }} More.'
    meta: {owner: finance}
    config:
      materialized: table
      tags: [finance, daily]
      unique_key: order_id
    data_tests:
      - expression_is_true:
          expression: "amount >= 0"
          config: {severity: warn, where: "status = 'placed'", limit: 10, warn_if: ">5", error_if: ">100", store_failures: false}
    columns:
      - name: order_id
        description: '{{doc "order_id"}}'
        meta: {pii: false}
        tests: [unique, not_null]
      - name: amount
        data_tests:
          - dbt_utils.expression_is_true: {expression: ">= 0", name: amount_is_positive}
      - name: status
        data_tests:
          - accepted_values: {values: [placed, shipped], config: {severity: error}}
  - name: customers
    config: {materialized: table}
sources:
  - name: jaffle
    description: The raw shop data.
    schema: raw
    meta: {loaded_by: seed}
    tables:
      - name: raw_orders
        description: One row per order.
        columns:
          - {name: id, description: The order.}
      - name: raw_customers
exposures:
  - name: weekly_dashboard
    type: dashboard
    maturity: high
    url: https://bi.example.com/1
    owner: {name: Ana, email: ana@example.com}
    depends_on: ["ref('orders')", "source('jaffle', 'raw_orders')"]
    description: Revenue per week.
`;
const DOCS = '{% docs orders_doc %}\nOne row per order.\n{% enddocs %}\n{% docs order_id %}The key.{% enddocs %}\n';

describe('dbt-shaped yml: everything supported is read', () => {
  const { project, problems } = load({ 'models/marts/schema.yml': FULL, 'models/docs.md': DOCS });
  test('no problems', () => assert.deepEqual(problems, []));

  test('models: description from doc blocks, meta, config, column meta, test config', () => {
    const doc = project.docs.get('orders')!;
    assert.equal(doc.description, 'One row per order. More.');
    assert.deepEqual(doc.meta, { owner: 'finance' });
    assert.deepEqual(doc.config, { materialized: 'table', tags: ['finance', 'daily'], unique_key: 'order_id' });
    assert.equal(doc.columns[0]!.description, 'The key.');
    assert.deepEqual(doc.columns[0]!.meta, { pii: false });
    assert.deepEqual(doc.tests[0]!.config, { where: "status = 'placed'", limit: 10, warnIf: '>5', errorIf: '>100', storeFailures: false });
    assert.equal(doc.tests[0]!.severity, 'warn');
    assert.equal(doc.columns[1]!.tests[0]!.kind, 'expression_is_true');
    assert.equal(doc.columns[1]!.tests[0]!.name, 'amount_is_positive');
  });

  test('sources from a yml file join project.yaml sources, with table docs', () => {
    const s = project.config.sources.find((x) => x.name === 'jaffle')!;
    assert.deepEqual(s.tables, ['raw_orders', 'raw_customers']);
    assert.equal(s.schema, 'raw');
    assert.equal(s.tableDocs!.raw_orders!.description, 'One row per order.');
    assert.equal(s.tableDocs!.raw_orders!.columns[0]!.description, 'The order.');
  });

  test('exposures with their dependencies', () => {
    assert.deepEqual(project.exposures.map((e) => [e.name, e.type, e.refs, e.sources, e.owner]), [
      ['weekly_dashboard', 'dashboard', ['orders'], [{ source: 'jaffle', table: 'raw_orders' }], { name: 'Ana', email: 'ana@example.com' }],
    ]);
  });

  test('a yml config block sets the model config under the model\'s own {{config}}', () => {
    const compiled = compileModels(project, { isIncremental: false, batchId: 'b' });
    assert.deepEqual(compiled.diagnostics, []);
    assert.equal(compiled.models.get('orders')!.config.materialized, 'table');
    assert.deepEqual(compiled.models.get('orders')!.config.tags, ['finance', 'daily']);
    assert.deepEqual(compiled.models.get('customers')!.config.tags, ['from_sql']);
    assert.equal(compiled.models.get('customers')!.config.materialized, 'table');
  });

  test('tests: where narrows the model, limit caps the rows, expression_is_true lets NULL pass, thresholds are kept', () => {
    const compiled = compileModels(project, { isIncremental: false, batchId: 'b' });
    const { tests, diagnostics } = compileTests(compiled, 'b');
    assert.deepEqual(diagnostics, []);
    const expr = tests.find((t) => t.kind === 'expression_is_true' && !t.column)!;
    assert.match(expr.sql, /^select \* from \(select \* from .*orders.* where status = 'placed'\) as filtered where not \(amount >= 0\) limit 10$/);
    assert.deepEqual([expr.warnIf, expr.errorIf, expr.storeFailures], ['>5', '>100', false]);
    const col = tests.find((t) => t.name === 'amount_is_positive')!;
    assert.match(col.sql, /where not \("amount" >= 0\)$/);
  });
});

describe('dbt-shaped yml: every other key is an error with its line', () => {
  const cases: [string, string, RegExp][] = [
    ['a typo in a model key', 'models:\n  - name: orders\n    descripton: x\n', /schema\.yml:3: unknown key `descripton` in model `orders` \(did you mean `description`\?\)/],
    ['a unit test without its model', 'unit_tests:\n  - name: t\n', /schema\.yml:2: a unit test needs a `name` and the `model` it tests/],
    ['constraints on a model (they belong to its columns)', 'models:\n  - name: orders\n    constraints: []\n', /:3: unknown key `constraints` in model `orders`/],
    ['a typo in a test config', 'models:\n  - name: orders\n    tests:\n      - row_count: {min: 1, config: {sevrity: warn}}\n', /unknown key `sevrity` in a test config \(did you mean `severity`\?\)/],
    ['warn_if that is no comparison', 'models:\n  - name: orders\n    tests:\n      - row_count: {min: 1, config: {warn_if: lots}}\n', /`warn_if` compares the number of failures/],
    ['a negative limit', 'models:\n  - name: orders\n    tests:\n      - row_count: {min: 1, config: {limit: -1}}\n', /`limit` is a whole number/],
    ['a where that is not SQL text', 'models:\n  - name: orders\n    tests:\n      - row_count: {min: 1, config: {where: 3}}\n', /`where` is a SQL condition/],
    ['store_failures not boolean', 'models:\n  - name: orders\n    tests:\n      - row_count: {min: 1, config: {store_failures: yes please}}\n', /`store_failures` is true or false/],
    ['bad severity', 'models:\n  - name: orders\n    tests:\n      - row_count: {min: 1, config: {severity: fatal}}\n', /severity must be error or warn/],
    ['an unknown test', 'models:\n  - name: orders\n    columns:\n      - name: order_id\n        tests: [uniqe]\n', /unknown test `uniqe` \(did you mean `unique`\?\)/],
    ['an unknown test argument', 'models:\n  - name: orders\n    columns:\n      - name: status\n        tests: [{accepted_values: {valuez: [a]}}]\n', /unknown key `valuez` in test `accepted_values` \(did you mean `values`\?\)/],
    ['expression_is_true without expression', 'models:\n  - name: orders\n    tests: [{expression_is_true: {}}]\n', /test `expression_is_true` needs `expression`/],
    ['tests and data_tests together', 'models:\n  - name: orders\n    tests: [{row_count: {min: 1}}]\n    data_tests: [{row_count: {min: 1}}]\n', /both `tests` and `data_tests`/],
    ['a column listed twice', 'models:\n  - name: orders\n    columns: [{name: a}, {name: a}]\n', /column `a` is listed twice/],
    ['a column type that is no name', 'models:\n  - name: orders\n    columns: [{name: a, data_type: 3}]\n', /data_type must be a type name/],
    ['a model config key {{config}} does not know', 'models:\n  - name: orders\n    config: {materialised: table}\n', /unknown key `materialised` in a model config \(did you mean `materialized`\?\)/],
    ['a missing docs block', 'models:\n  - name: orders\n    description: \'{{ doc("nope") }}\'\n', /no docs block `nope`/],
    ['a source without tables', 'sources:\n  - name: raw\n', /source `raw` lists no tables/],
    ['a typo in a source table', 'sources:\n  - name: raw\n    tables:\n      - name: t\n        descriptoin: x\n', /:5: unknown key `descriptoin` in source table `raw.t` \(did you mean `description`\?\)/],
    ['source freshness', 'sources:\n  - name: raw\n    tables: [{name: t, freshness: {}}]\n', /`freshness` is not supported here/],
    ['an exposure of an unknown type', 'exposures:\n  - name: e\n    type: report\n    depends_on: ["ref(\'orders\')"]\n', /exposure type is one of dashboard/],
    ['an exposure on a missing model', 'exposures:\n  - name: e\n    type: ml\n    depends_on: ["ref(\'nope\')"]\n', /exposure `e` depends on `nope`, which is no model or seed/],
    ['an exposure dependency that is not ref/source', 'exposures:\n  - name: e\n    type: ml\n    depends_on: [orders]\n', /write ref\('model'\) or source\('name', 'table'\)/],
    ['an unknown top-level key', 'modles:\n  - name: orders\n', /unknown key `modles` in a yml file \(did you mean `models`\?\)/],
  ];
  for (const [what, yml, want] of cases) {
    test(what, () => {
      const problems = problemsOf(yml);
      assert.ok(problems.some((p) => want.test(p)), `${what}: ${JSON.stringify(problems)}`);
    });
  }

  test('a yml file with only sources is fine', () => {
    assert.deepEqual(load({ 'models/_sources.yml': 'sources:\n  - name: raw\n    tables: [{name: t}]\n' }).problems, []);
  });

  test('a source declared twice is an error', () => {
    const r = load({ 'project.yaml': `${PROJECT}sources:\n  raw: {tables: [t]}\n`, 'models/_sources.yml': 'sources:\n  - name: raw\n    tables: [{name: t}]\n' });
    assert.deepEqual(r.problems, ['models/_sources.yml:: source `raw` is declared twice (also in project.yaml)']);
  });

  test('snapshots/ and analyses/ folders are refused, not ignored', () => {
    const r = load({ 'snapshots/s.sql': 'select 1', 'analyses/a.sql': 'select 1' });
    assert.deepEqual(r.problems.map((p) => p.split(':')[0]), ['snapshots/', 'analyses/']);
  });
});

describe('test thresholds', () => {
  test('conditions compare the failure count', () => {
    const cases: [string, number, boolean][] = [['>10', 11, true], ['>10', 10, false], ['>=10', 10, true], ['<3', 2, true], ['<=3', 4, false], ['=0', 0, true], ['==2', 2, true], ['!=0', 0, false], ['<>0', 1, true]];
    for (const [c, n, want] of cases) assert.equal(meetsCondition(c, n), want, `${c} with ${n}`);
  });
  test('status: error_if first, then warn_if, as dbt decides', () => {
    assert.equal(testStatus({ severity: 'error' }, 0), 'pass');
    assert.equal(testStatus({ severity: 'error' }, 1), 'fail');
    assert.equal(testStatus({ severity: 'warn' }, 1), 'warn');
    assert.equal(testStatus({ severity: 'error', errorIf: '>100', warnIf: '>5' }, 50), 'warn');
    assert.equal(testStatus({ severity: 'error', errorIf: '>100', warnIf: '>5' }, 3), 'pass');
    assert.equal(testStatus({ severity: 'error', errorIf: '>100' }, 101), 'fail');
    assert.equal(testStatus({ severity: 'warn', errorIf: '>1' }, 5), 'warn');
  });
});
