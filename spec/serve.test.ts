/**
 * `serve` end to end on PostgreSQL (the Amazon project built into a database of its own):
 * every endpoint's success, 404, 400 and injection attempts in every parameter; ETag/304;
 * one batch per response while batches are published under load; rate limiting; the read
 * role's connection cannot write; no error shows SQL, a stack or a secret.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { build } from '../src/api/build.ts';
import { rollback } from '../src/api/admin.ts';
import { serve, type Serving } from '../src/api/serve.ts';
import { createPostgresEngine } from '../src/engine/postgres.ts';
import type { Engine } from '../src/engine/engine.ts';
import { REPO, copyProject, runCli } from './support.ts';

const server = process.env.STRATA_TEST_DATABASE_URL;
const PASSWORD = `an-${randomBytes(8).toString('hex')}`;

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { data?: unknown; error?: string; message?: string; next_cursor?: string | null };
  text: string;
}

async function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(base + path, { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? (JSON.parse(text) as Answer['body']) : {} };
}

/** Nothing a client sees may hold SQL, a stack frame, a file path or a password. */
function assertClean(a: Answer, what: string): void {
  for (const leak of [/\bselect\b/i, /\bfrom "?gold/i, /\n\s+at /, /\.ts:\d+/, /\/work\//, new RegExp(PASSWORD), /password/i, /postgres:\/\//]) {
    assert.doesNotMatch(a.text, leak, `${what} leaks ${leak}: ${a.text}`);
  }
}

describe('serve on postgres', { skip: server ? false : 'STRATA_TEST_DATABASE_URL is not set' }, () => {
  const database = `strata_spec_i16_${randomBytes(4).toString('hex')}`;
  let databaseUrl: string;
  let project: string;
  let serving: Serving;
  let admin: Engine;
  let base: string;
  const serverErrors: string[] = [];
  let product: { product_id: string; review_count: number };

  before(async () => {
    const c = new pg.Client({ connectionString: server });
    await c.connect();
    await c.query(`create database ${database}`);
    await c.end();
    const u = new URL(server!);
    u.pathname = `/${database}`;
    databaseUrl = u.toString();
    project = copyProject();
    cpSync(join(REPO, 'api'), join(project, 'api'), { recursive: true });
    // A spec-only endpoint reading two relations, so a response mixing batches would show.
    writeFileSync(join(project, 'api', 'mix.yml'), 'path: /api/mix/{product_id}\nresult: one\ndescription: Two relations in one answer.\nparams:\n  product_id: { type: string, max_length: 64 }\n');
    writeFileSync(
      join(project, 'api', 'mix.sql'),
      'select p.avg_helpfulness_score, r.helpfulness_score as top_score\nfrom {{ref "dim_product"}} p join {{ref "review_detail"}} r on r.review_id = p.most_helpful_review_id\nwhere p.product_id = {{param "product_id"}}\n',
    );
    process.env.ANALYTICS_USER_PASSWORD = PASSWORD;
    // Against a server, the shop's sample data loads only when asked.
    const seeded = await runCli(['seed', '--sample'], { projectDir: project, env: { DATABASE_URL: databaseUrl } });
    assert.equal(seeded.code, 0, seeded.stdout + seeded.stderr);
    const r = await build({ projectDir: project, databaseUrl, mode: 'build', sinks: [] });
    assert.equal(r.summary.status, 'success');
    admin = createPostgresEngine(databaseUrl, { maxConnections: 2 });
    product = (await admin.query<{ product_id: string; review_count: number }>('select product_id, review_count from gold.dim_product order by review_count desc, product_id limit 1')).rows[0]!;
    serving = await serve({ projectDir: project, databaseUrl, port: 0, rateLimitPerMinute: 0, onError: (m) => serverErrors.push(m) });
    base = serving.url;
  });

  after(async () => {
    await serving?.close();
    await admin?.close();
    if (project) rmSync(project, { recursive: true, force: true });
    const c = new pg.Client({ connectionString: server });
    await c.connect();
    await c.query(`drop database if exists ${database} with (force)`);
    await c.end();
  });

  const currentBatch = async (): Promise<string> => (await admin.query<{ batch_id: string }>('select batch_id from strata.current_batch')).rows[0]!.batch_id;

  test('it reads as analytics_user, and that connection can neither write nor read past gold', async () => {
    assert.equal(serving.role, 'analytics_user');
    // Its sessions are read-only by default, and even a read-write transaction has no right to write.
    const denied = (sql: string, why: RegExp) =>
      assert.rejects(
        serving.engine.transaction(async (tx) => {
          await tx.query('set transaction read write');
          await tx.query(sql);
        }),
        why,
        sql,
      );
    const session = (await serving.engine.query<{ ro: string; timeout: string; plans: string }>(`select current_setting('default_transaction_read_only') as ro, current_setting('statement_timeout') as timeout, current_setting('plan_cache_mode') as plans`)).rows[0]!;
    assert.deepEqual(session, { ro: 'on', timeout: '2s', plans: 'force_custom_plan' });
    await denied(`insert into gold.dim_product (product_id) values ('x')`, /permission denied/);
    await denied('delete from gold.review_detail', /permission denied/);
    await denied('create table gold.sneaky (i int)', /permission denied/);
    await denied('drop view gold.dim_product', /must be owner/);
    await denied('select * from silver.silver_reviews', /permission denied/);
    await denied('select * from strata.batches', /permission denied/);
    await denied('update amazon.review set rating = 1', /permission denied/);
    const { rows } = await serving.engine.query<{ n: number }>('select count(*)::int as n from gold.dim_product');
    assert.ok(rows[0]!.n > 0);
  });

  test('serve refuses to connect as the builder (a superuser)', async () => {
    process.env.STRATA_SERVE_DATABASE_URL = databaseUrl;
    try {
      await assert.rejects(serve({ projectDir: project, databaseUrl, port: 0 }), /superuser: it must read as the read-only role/);
    } finally {
      delete process.env.STRATA_SERVE_DATABASE_URL;
    }
  });

  test('GET /api/products/{id}: the product as gold has it, named by its batch; 404; 400', async () => {
    const a = await get(base, `/api/products/${product.product_id}`);
    assert.equal(a.status, 200);
    assert.equal(a.headers.get('x-strata-batch'), await currentBatch());
    const want = (await admin.query<Record<string, unknown>>('select * from gold.dim_product where product_id = $1', [product.product_id])).rows[0]!;
    const data = a.body.data as Record<string, unknown>;
    assert.equal(data.review_count, Number(want.review_count));
    assert.equal(data.bayes_avg_rating, Number(want.bayes_avg_rating));
    assert.equal(data.verified_share, Number(want.verified_share));
    assert.equal(data.top_positive_review_id, Number(want.top_positive_review_id));
    assert.equal(typeof data.avg_rating, 'number');
    const missing = await get(base, '/api/products/NO_SUCH_PRODUCT');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error, 'not_found');
    const long = await get(base, `/api/products/${'x'.repeat(65)}`);
    assert.equal(long.status, 400);
    assert.match(long.body.message!, /path parameter product_id must NOT have more than 64 characters/);
  });

  test('GET /api/products/{id}/reviews: every order, paged by cursor, matches gold; each score adds up from its parts', async () => {
    const orders: Record<string, string> = {
      helpful: 'rank_in_product',
      positive: `rank_in_side) filter (where review_side = 'positive'`,
      critical: `rank_in_side) filter (where review_side = 'critical'`,
      recent: 'reviewed_at desc, review_id desc',
    };
    for (const [sort, order] of Object.entries(orders)) {
      const { rows } = await admin.query<{ ids: string[] | null }>(`select array_agg(review_id order by ${order}) as ids from gold.review_detail where product_id = $1`, [product.product_id]);
      const want = (rows[0]!.ids ?? []).map(Number);
      const got: number[] = [];
      let cursor: string | null | undefined;
      let pages = 0;
      do {
        const a = await get(base, `/api/products/${product.product_id}/reviews?sort=${sort}&limit=37${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(a.status, 200, a.text);
        const page = a.body.data as { review_id: number; helpfulness_score: number; rating: number; [k: string]: unknown }[];
        assert.ok(page.length <= 37);
        for (const r of page) {
          const points = ['votes', 'substance', 'verified', 'images', 'recency', 'sentiment', 'agreement', 'consensus'].reduce((s, k) => s + (r[`${k}_points`] as number), 0);
          assert.ok(Math.abs(points - r.helpfulness_score) <= 0.05, `${r.review_id}: points ${points} vs score ${r.helpfulness_score}`);
          if (sort === 'critical') assert.ok(r.rating <= 3);
        }
        got.push(...page.map((r) => r.review_id));
        cursor = a.body.next_cursor;
        pages++;
      } while (cursor);
      assert.deepEqual(got, want, `sort=${sort}`);
      assert.equal(pages, Math.max(1, Math.ceil(want.length / 37)));
    }
    const missing = await get(base, '/api/products/NO_SUCH_PRODUCT/reviews');
    assert.equal(missing.status, 404);
    for (const [q, why] of [
      ['limit=0', /limit must be >= 1/],
      ['limit=101', /limit must be <= 100/],
      ['limit=ten', /limit must be integer/],
      ['sort=best', /sort must be one of helpful, positive, critical, recent/],
      ['cursor=bm9wZQ', /not a cursor this API issued/],
      ['cursor=a%20b', /cursor must match pattern/],
      ['page=2', /unknown query parameter page/],
    ] as const) {
      const a = await get(base, `/api/products/${product.product_id}/reviews?${q}`);
      assert.equal(a.status, 400, q);
      assert.match(a.body.message!, why);
    }
  });

  test('GET /api/reviews/{id}: the breakdown of one review; 404; 400', async () => {
    const id = (await admin.query<{ id: string }>('select top_critical_review_id::text as id from gold.dim_product where product_id = $1', [product.product_id])).rows[0]!.id;
    const a = await get(base, `/api/reviews/${id}`);
    assert.equal(a.status, 200);
    const r = a.body.data as Record<string, unknown>;
    assert.equal(r.review_id, Number(id));
    assert.equal(r.review_side, 'critical');
    assert.equal(r.rank_in_side, 1);
    assert.equal((await get(base, '/api/reviews/1')).status, 404);
    assert.equal((await get(base, '/api/reviews/abc')).status, 400);
    assert.equal((await get(base, '/api/reviews/0')).status, 400);
  });

  test('GET /api/reviews/{id}: a review whose votes change across batches shows its history', async () => {
    const { rows } = await admin.query<{ a: string; b: string }>(
      'select top_positive_review_id::text as a, top_critical_review_id::text as b from gold.dim_product where product_id = $1',
      [product.product_id],
    );
    const [changed, unchanged] = [rows[0]!.a, rows[0]!.b];
    const first = await get(base, `/api/reviews/${changed}`);
    const v1 = (first.body.data as { history: Record<string, unknown>[] }).history;
    assert.equal(v1.length, 1, JSON.stringify(v1));
    assert.equal(v1[0]!.is_current, true);
    assert.equal(v1[0]!.valid_to, null);
    // The shop's votes change (this spec's own copy of the source), and the next batch sees it.
    const before = (await admin.query<{ h: number; t: number }>('select helpful_votes as h, total_votes as t from amazon.review where review_id = $1', [changed])).rows[0]!;
    await admin.query('update amazon.review set helpful_votes = helpful_votes + 7, total_votes = total_votes + 9, updated_at = now() where review_id = $1', [changed]);
    const r = await build({ projectDir: project, databaseUrl, mode: 'run', sinks: [] });
    assert.equal(r.summary.status, 'success');
    const a = await get(base, `/api/reviews/${changed}`);
    assert.equal(a.status, 200);
    assert.equal(a.headers.get('x-strata-batch'), await currentBatch());
    assert.notEqual(a.headers.get('x-strata-batch'), first.headers.get('x-strata-batch'));
    const h = (a.body.data as { helpful_votes: number; history: Record<string, unknown>[] });
    assert.equal(h.helpful_votes, before.h + 7);
    assert.deepEqual(
      h.history.map((v) => [v.version, v.helpful_votes, v.total_votes, v.helpful_votes_gained, v.total_votes_gained, v.is_current]),
      [
        [1, before.h, before.t, before.h, before.t, false],
        [2, before.h + 7, before.t + 9, 7, 9, true],
      ],
    );
    assert.equal(h.history[0]!.valid_to, h.history[1]!.valid_from, 'the old version ends where the new one starts');
    assert.equal(h.history[1]!.valid_to, null);
    assert.equal(typeof h.history[1]!.helpful_share, 'number');
    // A review whose votes did not change keeps its single version.
    const same = (await get(base, `/api/reviews/${unchanged}`)).body.data as { history: unknown[] };
    assert.equal(same.history.length, 1);
    // The OpenAPI document describes the history.
    const doc = (await get(base, '/openapi.json')).body as { paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: { properties: { data: { properties: Record<string, { description?: string }> } } } }> }> } }> };
    assert.match(doc.paths['/api/reviews/{review_id}']!.get.responses['200']!.content['application/json']!.schema.properties.data.properties.history!.description ?? '', /oldest first/);
  });

  test('GET /api/products: search by words and category, most reviewed first, paged', async () => {
    const word = product.product_id.length ? ((await admin.query<{ w: string }>(`select split_part(title, ' ', 1) as w from gold.dim_product where product_id = $1`, [product.product_id])).rows[0]!.w) : '';
    const a = await get(base, `/api/products?q=${encodeURIComponent(word.toUpperCase())}&limit=100`);
    assert.equal(a.status, 200);
    const found = a.body.data as { product_id: string; title: string; brand: string | null; review_count: number; category: string }[];
    assert.ok(found.some((p) => p.product_id === product.product_id));
    for (const p of found) assert.ok(`${p.title} ${p.brand ?? ''}`.toLowerCase().includes(word.toLowerCase()));
    for (let i = 1; i < found.length; i++) assert.ok(found[i - 1]!.review_count >= found[i]!.review_count);
    const category = found[0]!.category;
    const inCategory = await get(base, `/api/products?category=${encodeURIComponent(category)}&limit=5`);
    assert.ok((inCategory.body.data as { category: string }[]).every((p) => p.category === category));
    const next = await get(base, `/api/products?category=${encodeURIComponent(category)}&limit=5&cursor=${inCategory.body.next_cursor}`);
    assert.equal((next.body.data as unknown[]).length > 0, true);
    assert.equal((await get(base, `/api/products?q=${'y'.repeat(101)}`)).status, 400);
  });

  test('injection attempts in every parameter of every endpoint: refused or harmless, never run, never a 5xx', async () => {
    const before = (await admin.query<{ n: string }>('select count(*) as n from gold.dim_product')).rows[0]!.n;
    const payloads = [
      `' or '1'='1`,
      `x'; drop view gold.dim_product; --`,
      `1) union select current_user, null --`,
      `$1`,
      `{{param "product_id"}}`,
      `\u0000`,
      `%' and pg_sleep(5) is null and '%'='`,
      `1 or 1=1`,
      `😀é`,
    ];
    const calls: [string, (v: string) => string][] = [
      ['product.product_id', (v) => `/api/products/${encodeURIComponent(v)}`],
      ['product_reviews.product_id', (v) => `/api/products/${encodeURIComponent(v)}/reviews`],
      ['product_reviews.sort', (v) => `/api/products/${product.product_id}/reviews?sort=${encodeURIComponent(v)}`],
      ['product_reviews.limit', (v) => `/api/products/${product.product_id}/reviews?limit=${encodeURIComponent(v)}`],
      ['product_reviews.cursor', (v) => `/api/products/${product.product_id}/reviews?cursor=${encodeURIComponent(v)}`],
      ['review.review_id', (v) => `/api/reviews/${encodeURIComponent(v)}`],
      ['products.q', (v) => `/api/products?q=${encodeURIComponent(v)}`],
      ['products.category', (v) => `/api/products?category=${encodeURIComponent(v)}`],
      ['products.limit', (v) => `/api/products?limit=${encodeURIComponent(v)}`],
      ['products.cursor', (v) => `/api/products?cursor=${encodeURIComponent(v)}`],
    ];
    for (const [param, url] of calls) {
      for (const v of payloads) {
        const started = performance.now();
        const a = await get(base, url(v));
        assert.ok([200, 400, 404].includes(a.status), `${param}=${JSON.stringify(v)}: ${a.status} ${a.text}`);
        assert.ok(performance.now() - started < 4000, `${param}=${JSON.stringify(v)} ran pg_sleep`);
        if (a.status === 200 && Array.isArray(a.body.data)) assert.equal((a.body.data as unknown[]).length, 0, `${param}=${JSON.stringify(v)} matched rows`);
        assertClean(a, `${param}=${JSON.stringify(v)}`);
      }
    }
    assert.equal((await admin.query<{ n: string }>('select count(*) as n from gold.dim_product')).rows[0]!.n, before);
    assert.deepEqual(serverErrors, []);
  });

  test('ETag and 304: the same batch and request revalidate for free; another batch answers in full', async () => {
    const path = `/api/products/${product.product_id}/reviews?limit=3`;
    const a = await get(base, path);
    const etag = a.headers.get('etag')!;
    assert.match(etag, new RegExp(`^"${await currentBatch()}\\.`));
    assert.equal(a.headers.get('cache-control'), 'public, max-age=0, must-revalidate');
    const b = await get(base, path, { 'If-None-Match': etag });
    assert.equal(b.status, 304);
    assert.equal(b.text, '');
    assert.equal(b.headers.get('x-strata-batch'), a.headers.get('x-strata-batch'));
    const other = await get(base, `/api/products/${product.product_id}/reviews?limit=4`, { 'If-None-Match': etag });
    assert.equal(other.status, 200, 'an ETag is for one request');
    // Asked again without a copy of its own, the client gets the same answer, from serve's memory.
    const hits = async () => Number(/strata_serve_cache_hits_total (\d+)/.exec(await fetch(`${base}/metrics`).then((r) => r.text()))![1]);
    const before = await hits();
    const again = await get(base, path);
    assert.equal(again.text, a.text);
    assert.equal(again.headers.get('etag'), etag);
    assert.equal(await hits(), before + 1);
  });

  test('one batch per response while batches are published and rolled back under load, and no error', async () => {
    const first = await currentBatch();
    const mixPath = `/api/mix/${product.product_id}`;
    const etag = (await get(base, mixPath)).headers.get('etag')!;
    let publishing = true;
    const answers: Answer[] = [];
    const load = Promise.all(
      Array.from({ length: 6 }, async () => {
        while (publishing) answers.push(await get(base, mixPath));
      }),
    );
    const published: string[] = [];
    try {
      for (const weight of [0.3, 3, 0.7]) {
        const r = await build({ projectDir: project, databaseUrl, mode: 'run', select: ['review_rank+'], vars: `{score_weight_votes: ${weight}}`, sinks: [] });
        assert.equal(r.summary.status, 'success');
        published.push(await currentBatch());
      }
      const back = await rollback({ projectDir: project, databaseUrl, sinks: [] });
      assert.equal(back.to, published[1]);
    } finally {
      publishing = false;
      await load;
    }
    assert.ok(answers.length > 20, `${answers.length} answers`);
    const expected = new Map<string, string>();
    for (const batch of [first, ...published]) {
      const rel = async (model: string) =>
        (await admin.query<{ s: string }>('select physical_schema as s from strata.batch_relations where batch_id = $1 and model = $2', [batch, model])).rows[0]!.s;
      const { rows } = await admin.query<{ a: string; t: string }>(
        `select p.avg_helpfulness_score::text as a, r.helpfulness_score::text as t from "${await rel('dim_product')}".dim_product p
           join "${await rel('review_detail')}".review_detail r on r.review_id = p.most_helpful_review_id where p.product_id = $1`,
        [product.product_id],
      );
      expected.set(batch, JSON.stringify({ avg_helpfulness_score: Number(rows[0]!.a), top_score: Number(rows[0]!.t) }));
    }
    assert.equal(new Set(expected.values()).size, expected.size, 'each batch has its own answer');
    const seen = new Set<string>();
    for (const a of answers) {
      assert.equal(a.status, 200, a.text);
      const batch = a.headers.get('x-strata-batch')!;
      seen.add(batch);
      assert.equal(JSON.stringify(a.body.data), expected.get(batch), `a response of batch ${batch} holds another batch's data`);
    }
    assert.ok(seen.size >= 2, `responses came from ${[...seen].join(', ')}`);
    const now = await get(base, mixPath, { 'If-None-Match': etag });
    assert.equal(now.status, 200, 'an ETag of an earlier batch is never answered 304');
    assert.equal(now.headers.get('x-strata-batch'), published[1]);
    assert.deepEqual(serverErrors, []);
  });

  test('rate limiting: past the limit a client gets 429 with the reason, health and metrics stay reachable; CORS only for the shop', async () => {
    const limited = await serve({ projectDir: project, databaseUrl, port: 0, rateLimitPerMinute: 3, corsOrigins: ['https://shop.example'] });
    try {
      const shop = await get(limited.url, '/healthz', { Origin: 'https://shop.example' });
      assert.equal(shop.headers.get('access-control-allow-origin'), 'https://shop.example');
      assert.match(shop.headers.get('access-control-expose-headers') ?? '', /X-Strata-Batch/);
      assert.equal((await get(limited.url, '/healthz', { Origin: 'https://evil.example' })).headers.get('access-control-allow-origin'), null);
      const statuses: number[] = [];
      let last: Answer | undefined;
      for (let i = 0; i < 5; i++) {
        last = await get(limited.url, `/api/products/${product.product_id}`);
        statuses.push(last.status);
      }
      assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
      assert.equal(last!.body.error, 'rate_limited');
      assert.ok(Number(last!.headers.get('retry-after')) > 0);
      assert.equal((await get(limited.url, '/healthz')).status, 200);
      const metrics = await fetch(`${limited.url}/metrics`).then((r) => r.text());
      assert.match(metrics, /strata_serve_requests_total\{route="\/api\/products\/:product_id",status="429"\} 2/);
      assert.match(metrics, /strata_serve_request_duration_seconds_count\{route="\/api\/products\/:product_id"\} 5/);
    } finally {
      await limited.close();
    }
  });

  test('errors show no SQL, stack or secret: a statement timeout, a lost connection, an unknown path', async () => {
    const slow = await serve({ projectDir: project, databaseUrl, port: 0, rateLimitPerMinute: 0, statementTimeoutMs: 300, onError: (m) => serverErrors.push(m) });
    const errorsBefore = serverErrors.length;
    try {
      // A builder holding the view's lock makes the request wait past its statement timeout.
      const held = admin.transaction(async (tx) => {
        await tx.query('lock table gold.dim_product in access exclusive mode');
        await new Promise((r) => setTimeout(r, 1200));
      });
      await new Promise((r) => setTimeout(r, 100));
      const timedOut = await get(slow.url, `/api/products/${product.product_id}`);
      await held;
      assert.equal(timedOut.status, 503);
      assert.equal(timedOut.body.error, 'timeout');
      assertClean(timedOut, 'a timeout');

      await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and usename = 'analytics_user' and pid <> pg_backend_pid()`);
      const lost = await get(slow.url, `/api/products/${product.product_id}`);
      assert.ok([200, 503].includes(lost.status), lost.text);
      assertClean(lost, 'a lost connection');
      const after = await get(slow.url, `/api/products/${product.product_id}`);
      assert.equal(after.status, 200, 'the pool reconnects');

      for (const path of ['/nope', '/api/products/x/reviews/y', '/api/products/%E0%A4%A', '/api/reviews/1?x=<script>']) {
        const a = await get(slow.url, path);
        assert.ok(a.status === 404 || a.status === 400, `${path}: ${a.status}`);
        assertClean(a, path);
      }
      const post = await fetch(`${slow.url}/api/reviews/1`, { method: 'POST', body: '{}' });
      assert.equal(post.status, 404, 'only declared GET endpoints exist');
      for (const m of serverErrors.slice(errorsBefore)) assert.doesNotMatch(m, new RegExp(PASSWORD));
    } finally {
      await slow.close();
    }
  });

  test('the OpenAPI document describes every endpoint, its parameters and its columns', async () => {
    const doc = (await get(base, '/openapi.json')).body as { paths: Record<string, { get: { parameters: { name: string; in: string }[]; description: string; responses: Record<string, { content?: Record<string, { schema: { properties: Record<string, { properties?: Record<string, unknown>; items?: { properties: Record<string, { description?: string }> } }> } }> }> } }> };
    for (const path of ['/api/products/{product_id}', '/api/products/{product_id}/reviews', '/api/reviews/{review_id}', '/api/products']) {
      assert.ok(doc.paths[path], path);
      assert.match(doc.paths[path]!.get.description, /Declared in api\//);
    }
    const reviews = doc.paths['/api/products/{product_id}/reviews']!.get;
    assert.deepEqual(reviews.parameters.map((p) => `${p.in}:${p.name}`).sort(), ['path:product_id', 'query:cursor', 'query:limit', 'query:sort']);
    const items = reviews.responses['200']!.content!['application/json']!.schema.properties.data!.items!.properties;
    assert.ok(items.helpfulness_score && items.votes_points && items.rank_recent === undefined);
    assert.match(items.rank_in_product!.description ?? '', /most helpful/);
    assert.equal(doc.paths['/healthz'], undefined);
  });

  test('a publish that changes a column type under load: statements prepared on the old views are prepared afresh, no error', async () => {
    // Requests keep the pool's connections busy across the build (an idle one would close and
    // take its prepared statements with it), each a new URL, so each reads the database.
    const sorts = ['helpful', 'positive', 'critical', 'recent'];
    const answers: Answer[] = [];
    let running = true;
    let n = 0;
    const load = (async () => {
      while (running) {
        n++;
        answers.push(await get(base, `/api/products/${product.product_id}/reviews?sort=${sorts[n % 4]}&limit=${1 + (n % 100)}`));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const model = join(project, 'models', 'gold', 'review_detail.sql');
    const schema = join(project, 'models', 'gold', 'schema.yml');
    const errorsBefore = serverErrors.length;
    let published: string;
    try {
      const yml = readFileSync(schema, 'utf8');
      const at = yml.indexOf('  - name: review_detail');
      const column = '      - name: helpful_votes\n        data_type: integer';
      const i = yml.indexOf(column, at);
      assert.ok(at >= 0 && i > at);
      writeFileSync(schema, yml.slice(0, i) + column.replace('integer', 'bigint') + yml.slice(i + column.length));
      writeFileSync(model, readFileSync(model, 'utf8').replace('  f.helpful_votes,', '  f.helpful_votes::bigint as helpful_votes,'));
      const r = await build({ projectDir: project, databaseUrl, mode: 'run', select: ['review_detail'], sinks: [] });
      assert.equal(r.summary.status, 'success');
      published = await currentBatch();
      const type = (await admin.query<{ t: string }>(`select data_type as t from information_schema.columns where table_schema = 'gold' and table_name = 'review_detail' and column_name = 'helpful_votes'`)).rows[0]!.t;
      assert.equal(type, 'bigint', 'the published view changed the column type');
      const seen = answers.length;
      while (answers.length < seen + 10) await new Promise((r) => setTimeout(r, 50));
    } finally {
      running = false;
      await load;
    }
    for (const a of answers) assert.equal(a.status, 200, a.text);
    const after = answers.filter((a) => a.headers.get('x-strata-batch') === published);
    assert.ok(after.length >= 10, `${after.length} answers from the new batch`);
    for (const a of after) assert.equal(typeof (a.body.data as { helpful_votes: unknown }[])[0]!.helpful_votes, 'number');
    assert.deepEqual(serverErrors.slice(errorsBefore), []);
  });

  test('/healthz names the published batch and its age', async () => {
    const a = await get(base, '/healthz');
    assert.equal(a.status, 200);
    assert.equal(a.body.status, 'ok');
    assert.equal(a.body.batch, await currentBatch());
  });
});
