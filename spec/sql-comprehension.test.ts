/**
 * SQL understood at compile time, end to end through the CLI: on a copy of the Amazon
 * project (17 models) broken in four places at once, `compile` and `build` report every
 * problem together, each at the model file's (or schema.yml's) line and column, and exit 2
 * before any database is touched (the target URL points at a closed port).
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { copyProject, runCli } from './support.ts';

/** 1-based line and column of the first occurrence of `needle` in a file of the project. */
function where(dir: string, file: string, needle: string, shift = 0): string {
  const text = readFileSync(join(dir, file), 'utf8');
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} not in ${file}`);
  const before = text.slice(0, at + shift).split('\n');
  return `${file}:${before.length}:${before.at(-1)!.length + 1}`;
}

function edit(dir: string, file: string, from: string | RegExp, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  const next = text.replace(from, to);
  assert.notEqual(next, text, `${String(from)} not in ${file}`);
  writeFileSync(path, next);
}

describe('compile-time SQL errors, all at once, at the template line and column', () => {
  const dir = copyProject();
  after(() => rmSync(dir, { recursive: true, force: true }));
  // 1. a syntax error, below a {{config}} and a macro call, in a model that renders macros
  edit(dir, 'models/silver/silver_products.sql', /\nfrom /, '\n  credit_card number\nfrom ');
  // 2. a column that its parent does not produce
  edit(dir, 'models/gold/dim_buyer.sql', '    f.buyer_id,\n', '    f.buyer_id,\n    f.shipping_address,\n');
  // 3. a schema test on a column the model does not produce, and a relationships test to a missing one
  edit(dir, 'models/gold/schema.yml', '      - name: is_blank_text\n', '      - name: ghost_column\n        tests: [not_null]\n      - name: is_blank_text\n');
  edit(dir, 'models/gold/schema.yml', '{ relationships: { to: dim_product, field: product_id } }', '{ relationships: { to: dim_product, field: product_key } }');
  // 4. a column removed upstream, read downstream
  edit(dir, 'models/silver/silver_reviews.sql', '  c.verified_purchase,\n', '');

  const expected = () => [
    `${where(dir, 'models/silver/silver_products.sql', 'number\nfrom')}: SQL syntax error at or near "number"`,
    `${where(dir, 'models/gold/dim_buyer.sql', 'f.shipping_address')}: column \`f.shipping_address\` does not exist: fact_reviews has no column \`shipping_address\``,
    `${where(dir, 'models/gold/fact_reviews.sql', 'r.verified_purchase')}: column \`r.verified_purchase\` does not exist: silver_reviews has no column \`verified_purchase\``,
    `models/gold/schema.yml:${where(dir, 'models/gold/schema.yml', 'tests: [not_null]').split(':')[1]} (fact_reviews): test \`not_null\``,
    `models/gold/schema.yml:${where(dir, 'models/gold/schema.yml', 'field: product_key').split(':')[1]} (fact_reviews): test \`relationships\``,
  ];

  test('compile lists every problem with its place and exits 2', async () => {
    const r = await runCli(['compile'], { projectDir: dir });
    assert.equal(r.code, 2, r.stderr);
    for (const line of expected()) assert.ok(r.stderr.includes(line), `missing: ${line}\n--- stderr:\n${r.stderr}`);
    assert.match(r.stderr, /test `not_null` on `fact_reviews.ghost_column`: model `fact_reviews` does not produce column `ghost_column`/);
    assert.match(r.stderr, /test `relationships` on `fact_reviews.product_id`: `dim_product` does not produce column `product_key`/);
    assert.match(r.stderr, /models\/silver\/silver_reviews.sql does not produce it/);
    assert.match(r.stderr, /contract of `fact_reviews`: column `ghost_column` needs a data_type/);
    assert.match(r.stderr, /^6 project errors:/m);
  });

  test('build stops at the same errors before touching a database', async () => {
    const r = await runCli(['build'], { projectDir: dir, env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none_i15' } });
    assert.equal(r.code, 2, r.stderr);
    for (const line of expected()) assert.ok(r.stderr.includes(line), `missing: ${line}`);
    assert.doesNotMatch(r.stderr, /ECONNREFUSED|connect/);
  });
});

describe('the manifest holds every model\'s columns and lineage', () => {
  const dir = copyProject();
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('target/manifest.json: output columns, types and one-hop lineage', async () => {
    const r = await runCli(['compile'], { projectDir: dir });
    assert.equal(r.code, 0, r.stderr);
    const manifest = JSON.parse(readFileSync(join(dir, 'target', 'manifest.json'), 'utf8')) as {
      nodes: Record<string, { kind: string; output_columns?: { name: string; type: string | null; lineage: { kind: string; sources: { relation: string; column: string }[] } | null }[] | null }>;
    };
    const models = Object.entries(manifest.nodes).filter(([, n]) => n.kind === 'model');
    assert.equal(models.length, 20);
    for (const [name, n] of models) assert.ok(n.output_columns && n.output_columns.length > 0, name);
    const col = (model: string, column: string) => manifest.nodes[model]!.output_columns!.find((c) => c.name === column)!;
    assert.deepEqual(col('fact_reviews', 'review_id').lineage, { kind: 'copy', sources: [{ relation: 'silver_reviews', node: true, column: 'review_id' }] });
    assert.equal(col('fact_reviews', 'review_id').type, 'bigint');
    assert.deepEqual(col('product_top_reviews', 'product_title').lineage, { kind: 'copy', sources: [{ relation: 'dim_product', node: true, column: 'title' }] });
    assert.deepEqual(col('bronze_review', 'review_id').lineage?.sources, [{ relation: 'amazon.review', column: 'review_id' }]);
  });
});
