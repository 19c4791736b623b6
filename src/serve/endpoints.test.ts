import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ProjectError } from '../core/errors.ts';
import type { Project } from '../project/types.ts';
import { CURSOR, loadEndpoints } from './endpoints.ts';

/** A project with two layers, a read role on gold, and the given api/ files. */
function project(files: Record<string, string>): Project {
  const dir = mkdtempSync(join(tmpdir(), 'strata-endpoints-'));
  mkdirSync(join(dir, 'api'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'api', name), text);
  return {
    dir,
    config: {
      layers: [
        { name: 'silver', schema: 'silver', materialized: 'table', export: false },
        { name: 'gold', schema: 'gold', materialized: 'table', export: true },
      ],
      roles: [{ name: 'reader', read: ['gold'], write: [] }],
    },
    models: [
      { name: 'dim_product', layer: 'gold' },
      { name: 'review_detail', layer: 'gold' },
      { name: 'silver_reviews', layer: 'silver' },
    ],
    docs: new Map(),
  } as unknown as Project;
}

function problems(p: Project): string[] {
  try {
    loadEndpoints(p, 'reader');
  } catch (err) {
    assert.ok(err instanceof ProjectError);
    return err.diagnostics.map((d) => `${d.file}${d.line ? `:${d.line}` : ''}: ${d.message}`);
  } finally {
    rmSync(p.dir, { recursive: true, force: true });
  }
  return [];
}

test('parameters become $n casts in order of first use, bound by name; refs are the published views in lock order', () => {
  const p = project({
    'reviews.yml': 'path: /api/products/{product_id}/reviews\npaginate: position\ndescription: Reviews.\nparams:\n  product_id: { type: string, max_length: 64 }\n  limit: { type: integer, minimum: 1, maximum: 100, default: 10 }\n',
    'reviews.sql':
      'select r.position from {{ref "review_detail"}} r join {{ref "dim_product"}} p using (product_id)\nwhere r.product_id = {{param "product_id"}} and p.product_id = {{param "product_id"}} and r.position > {{cursor}}\nlimit {{param "limit"}};\n',
  });
  try {
    const [e] = loadEndpoints(p, 'reader');
    assert.equal(
      e!.sql,
      'select r.position from "gold"."review_detail" r join "gold"."dim_product" p using (product_id)\nwhere r.product_id = $1::text and p.product_id = $1::text and r.position > $2::bigint\nlimit $3::bigint',
    );
    assert.deepEqual(e!.bind, ['product_id', CURSOR, 'limit']);
    assert.deepEqual(e!.views, ['"gold"."dim_product"', '"gold"."review_detail"']);
    assert.deepEqual(e!.refs, ['review_detail', 'dim_product']);
    assert.equal(e!.params.find((x) => x.name === 'product_id')!.in, 'path');
    assert.equal(e!.params.find((x) => x.name === 'limit')!.in, 'query');
  } finally {
    rmSync(p.dir, { recursive: true, force: true });
  }
});

test('every mistake of every endpoint file is reported at once, with its file and line', () => {
  const found = problems(
    project({
      'a.yml': 'path: /api/a/{id}\ndescription: A.\nparams:\n  id: { type: integer }\n  q: { type: string }\n  extra: { type: integer, in: path }\n',
      'a.sql': 'select * from {{ref "silver_reviews"}} where id = {{param "id"}} and x = {{param "nope"}}\n',
      'b.yml': 'path: /api/a/{other}\nresult: many\ndescription: B.\nparams:\n  other: { type: text }\n',
      'b.sql': 'select 1 from {{ref "missing_model"}}\n',
      'c.sql': 'select 1 from {{ref "dim_product"}}\n',
      'd.yml': 'path: /api/d\ndescription: D.\n',
      'e.yml': 'path: /api/e\ndescription: E.\ncolumns:\n  history: [not, a, description]\n',
      'e.sql': 'select 1 as history from {{ref "dim_product"}}\n',
    }),
  );
  const expect = [
    /^api\/a\.yml:5: a string parameter needs max_length/,
    /^api\/a\.yml:6: in: path, but the path has no \{extra\}/,
    /^api\/a\.sql:1: unknown parameter `nope`/,
    /^api\/a\.sql: ref `silver_reviews` is in layer silver, which the serving role reader cannot read/,
    /^api\/b\.yml:2: expected one \(a row, 404 without\) or list/,
    /^api\/b\.yml:5: type must be one of string, integer, number, boolean/,
    /^api\/b\.sql: unknown ref `missing_model`/,
    /^api\/c\.sql: no api\/c\.yml beside it/,
    /^api\/d\.yml: no api\/d\.sql beside it/,
    /^api\/e\.yml:4: expected a mapping of column name to its description/,
  ];
  for (const re of expect) assert.ok(found.some((f) => re.test(f)), `${re} in:\n${found.join('\n')}`);
});

test('two endpoints on one path, and a paged endpoint without {{cursor}} or limit, are refused', () => {
  const found = problems(
    project({
      'a.yml': 'path: /api/x/{id}\nresult: one\ndescription: A.\nparams:\n  id: { type: integer }\n',
      'a.sql': 'select 1 from {{ref "dim_product"}} where {{param "id"}} > 0\n',
      'b.yml': 'path: /api/x/{key}\nresult: one\ndescription: B.\nparams:\n  key: { type: integer }\n',
      'b.sql': 'select 1 from {{ref "dim_product"}} where {{param "key"}} > 0\n',
      'c.yml': 'path: /api/c\npaginate: position\ndescription: C.\n',
      'c.sql': 'select 1 as position from {{ref "dim_product"}}\n',
    }),
  );
  assert.ok(found.some((f) => /api\/b\.sql: path \/api\/x\/\{key\} is already served by api\/a\.sql/.test(f)), found.join('\n'));
  assert.ok(found.some((f) => /api\/c\.yml:2: a paged list declares an integer `limit` parameter/.test(f)), found.join('\n'));
  assert.ok(found.some((f) => /api\/c\.sql: a paged endpoint resumes after \{\{cursor\}\}/.test(f)), found.join('\n'));
});
