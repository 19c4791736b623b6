/**
 * `serve` on the embedded engine after the quick start's build, and the product page in
 * headless Chromium (Debian's `chromium`, driven by playwright-core): the page shows the
 * API's order, the top positive and critical review, sorting and paging.
 */
import assert from 'node:assert/strict';
import { existsSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serve, type Serving } from '../src/api/serve.ts';
import { REPO, quickStartCopy, type QuickStart } from './support.ts';

const CHROMIUM = process.env.STRATA_CHROMIUM ?? '/usr/bin/chromium';

describe('serve on the embedded engine', () => {
  let quickStart: QuickStart;
  let project: string;
  let serving: Serving;
  const saved = { dir: process.env.STRATA_PGLITE_DIR };

  before(async () => {
    // The quick start: one build on the embedded engine (done once per test run, copied here).
    quickStart = await quickStartCopy();
    project = quickStart.project;
    cpSync(join(REPO, 'api'), join(project, 'api'), { recursive: true });
    process.env.STRATA_PGLITE_DIR = quickStart.dataDir;
    serving = await serve({ projectDir: project, target: 'embedded', port: 0 });
  });

  after(async () => {
    await serving?.close();
    if (saved.dir === undefined) delete process.env.STRATA_PGLITE_DIR;
    else process.env.STRATA_PGLITE_DIR = saved.dir;
    await quickStart?.target.cleanup();
  });

  const api = async (path: string) => {
    const res = await fetch(serving.url + path);
    return { res, body: (await res.json()) as { data: Record<string, unknown> & Record<string, unknown>[]; next_cursor?: string | null } };
  };

  test('serve answers from the embedded database, as analytics_user, naming the published batch', async () => {
    assert.equal(serving.role, 'analytics_user');
    const { rows } = await serving.engine.query<{ batch_id: string; product_id: string }>(
      'select c.batch_id, (select product_id from gold.dim_product order by review_count desc, product_id limit 1) as product_id from strata.current_batch c',
    );
    const { res, body } = await api(`/api/products/${rows[0]!.product_id}/reviews?limit=5`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-strata-batch'), rows[0]!.batch_id);
    assert.equal(body.data.length, 5);
    // Every request runs as the read role: a write in that role is refused.
    await assert.rejects(
      serving.engine.transaction(async (tx) => {
        await tx.exec(`set local role analytics_user`);
        await tx.query(`delete from gold.review_detail`);
      }),
      /permission denied/,
    );
  });

  describe('the product page in headless Chromium', { skip: existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}: apt-get install chromium` }, () => {
    let browser: Browser;
    let page: Page;
    before(async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
      page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    });
    after(async () => browser?.close());

    const shownIds = async (selector = '#reviews li.review'): Promise<number[]> =>
      (await page.locator(selector).evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-review-id'))))) as number[];

    test('loads, shows a product with its rating summary, top reviews and the reviews in the API order; sorting and paging work', async () => {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(serving.url + '/');
      await page.locator('#reviews li.review').first().waitFor();
      const productId = await page.locator('#product').inputValue();
      const product = (await api(`/api/products/${productId}`)).body.data;
      assert.equal(await page.locator('#title').textContent(), product.title);
      assert.equal(await page.locator('#count').textContent(), `${product.review_count} reviews`);
      assert.equal(await page.locator('#histogram tr').count(), 5);
      assert.deepEqual(await shownIds('#top-positive .review'), [product.top_positive_review_id]);
      assert.deepEqual(await shownIds('#top-critical .review'), [product.top_critical_review_id]);

      const helpful = (await api(`/api/products/${productId}/reviews?limit=10`)).body;
      assert.deepEqual(await shownIds(), helpful.data.map((r) => r.review_id));
      // Each review's score is explained, component by component, and the points add up.
      const first = page.locator('#reviews li.review').first();
      await first.locator('details summary').click();
      const points = await first.locator('.why .points').allTextContents();
      assert.equal(points.length, 8);
      const sum = points.reduce((s, p) => s + Number(p.replace('+', '')), 0);
      assert.ok(Math.abs(sum - Number(helpful.data[0]!.helpfulness_score)) <= 0.5, `${sum} vs ${helpful.data[0]!.helpfulness_score}`);

      if (process.env.STRATA_SCREENSHOT) {
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.screenshot({ path: process.env.STRATA_SCREENSHOT, fullPage: false });
      }

      // Paging: the next page appends the API's second page.
      const second = (await api(`/api/products/${productId}/reviews?limit=10&cursor=${helpful.next_cursor}`)).body;
      await page.locator('#more').click();
      await page.waitForFunction((n) => document.querySelectorAll('#reviews li.review').length === n, 10 + second.data.length);
      assert.deepEqual(await shownIds(), [...helpful.data, ...second.data].map((r) => r.review_id));


      // Sorting: critical first, as the API orders them.
      await page.locator('#sort').selectOption('critical');
      const critical = (await api(`/api/products/${productId}/reviews?sort=critical&limit=10`)).body;
      await page.waitForFunction((id) => document.querySelector('#reviews li.review')?.getAttribute('data-review-id') === String(id), critical.data[0]!.review_id);
      assert.deepEqual(await shownIds(), critical.data.map((r) => r.review_id));
      assert.ok((await page.locator('#reviews .stars').allTextContents()).every((s) => (s.match(/★/g) ?? []).length <= 3));

      // The picker: searching shows the first match.
      await page.locator('#search').fill('zzzz-no-such-product');
      await page.locator('#status').getByText('No product matches.').waitFor();
      assert.deepEqual(errors, []);
    });
  });
});
