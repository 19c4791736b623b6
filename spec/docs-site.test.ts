/**
 * The docs site end to end: build a real project (jaffle_shop, then the Amazon Reviews
 * project) on PGlite, generate target/docs/index.html from its artifacts, and open it from
 * disk in real headless Chromium: no console errors, no network, every model in the
 * lineage graph, a click shows the compiled SQL, the run-duration chart is there.
 * Screenshots land in spec/artifacts/ (git-ignored). Also `serveDocs` over HTTP.
 *
 * Chromium: /usr/bin/chromium (Debian's `chromium` package, installed by .ci/run) or
 * $STRATA_CHROMIUM; without one the browser tests fail, saying what to install.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { generateDocsSite, loadDocsInputs, serveDocs, type DocsInputs, type LakeBatchRow } from '../src/docs/index.ts';
import { JAFFLE, REPO, TOOLS, copyProject, needs, quickStartCopy, runCli, targets, type TestTarget } from './support.ts';

const CHROMIUM = TOOLS.chromium.path;
/** Browser tests run where Chromium is; elsewhere they are reported as not run, with the install command (CI requires it). */
const BROWSER = needs(TOOLS.chromium);
const ARTIFACTS = join(REPO, 'spec', 'artifacts');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const LAKE: LakeBatchRow[] = [
  { batchId: '20260102T030405Z-bbbbbb', layer: 'marts', complete: true, active: true, rows: 199, bytes: 48_213, createdAt: '2026-01-02T03:04:30Z' },
  { batchId: '20260101T030405Z-aaaaaa', layer: 'marts', complete: true, active: false, rows: 198, bytes: 48_002, createdAt: '2026-01-01T03:04:30Z' },
  { batchId: '20251231T030405Z-cccccc', layer: 'marts', complete: false, active: false, rows: 0, bytes: 512, createdAt: null },
];

let browser: Browser | undefined;
before(async () => {
  if (existsSync(CHROMIUM)) browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
});

interface Opened {
  page: Page;
  /** Console errors, page errors, failed requests, and any request that is not file: or data:. */
  problems: string[];
}

async function openSite(indexHtml: string): Promise<Opened> {
  const page = await browser!.newPage({ viewport: { width: 1600, height: 1000 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('request', (r) => {
    if (!/^(file|data):/.test(r.url())) problems.push(`network request: ${r.url()}`);
  });
  await page.goto(pathToFileURL(indexHtml).href, { waitUntil: 'load' });
  return { page, problems };
}

function modelNames(inputs: DocsInputs): string[] {
  return Object.entries(inputs.manifest.nodes)
    .filter(([, n]) => n.kind === 'model')
    .map(([name]) => name);
}

/**
 * Builds a copy of `from` on PGlite `builds` times and generates its docs site. The repo's
 * project (`from` undefined) starts from the quick start (spec/support.ts quickStartCopy: its
 * first build, on a new database, built and tested everything, as --full-refresh does).
 */
function builtProject(from: string | undefined, builds: number) {
  const state = {} as { target: TestTarget; dir: string; inputs: DocsInputs; index: string };
  before(async () => {
    let built = 0;
    if (from === undefined) {
      ({ target: state.target, project: state.dir } = await quickStartCopy());
      built = 1;
    } else {
      state.target = await targets()[0]!.create();
      state.dir = copyProject(from);
    }
    for (let i = built; i < builds; i++) {
      // --full-refresh: every run builds and tests everything (an unchanged model would be reused, its tests not re-run).
      const r = await runCli(['build', '--full-refresh'], { projectDir: state.dir, target: state.target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
    }
    state.inputs = { ...loadDocsInputs(state.dir), lakeBatches: LAKE };
    state.index = generateDocsSite(state.inputs).path;
  });
  after(async () => {
    await state.target?.cleanup();
    if (state.dir) rmSync(state.dir, { recursive: true, force: true });
  });
  return state;
}

describe('docs site of the jaffle_shop project', () => {
  const project = builtProject(JAFFLE, 2);

  test('is one self-contained index.html under target/docs', () => {
    assert.equal(project.index, join(project.dir, 'target', 'docs', 'index.html'));
    const html = readFileSync(project.index, 'utf8');
    assert.match(html, /<script type="application\/json" id="strata-data">/);
    assert.doesNotMatch(html, /<(script|link|img|iframe)[^>]+(src|href)="(?!data:|#)/i, 'no external scripts, styles or images');
    assert.equal(project.inputs.runHistory.length, 2, 'both builds are in the run history');
    assert.deepEqual(
      project.inputs.runHistory.map((r) => r.status),
      ['success', 'success'],
    );
  });

  test('opens from disk without errors or network, and the graph shows every model', BROWSER, async () => {
    const { page, problems } = await openSite(project.index);
    try {
      const models = modelNames(project.inputs);
      assert.equal(models.length, 5);
      assert.equal(await page.locator('svg [data-model]').count(), models.length);
      for (const m of models) {
        assert.equal(await page.locator(`svg#lineage-graph [data-model="${m}"]`).count(), 1, `${m} in the graph`);
        assert.equal(await page.locator(`.model-list a[data-node="${m}"]`).count(), 1, `${m} in the sidebar`);
      }
      // Seeds sit in the first band, above every model.
      const seedY = await page.locator('#node-raw_orders').boundingBox();
      const modelY = await page.locator('#node-stg_orders').boundingBox();
      assert.ok(seedY && modelY && seedY.y < modelY.y, 'seeds are drawn above the staging models');
      assert.equal(await page.locator('svg#lineage-graph .band').count(), 3, 'sources & seeds, staging, marts');
      assert.ok((await page.locator('#legend').textContent())!.includes('incremental'), 'a legend of materializations');
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test('clicking a model in the graph shows its panel with the compiled SQL', BROWSER, async () => {
    const { page, problems } = await openSite(project.index);
    try {
      assert.equal(await page.locator('#detail').isVisible(), false, 'no panel before a click');
      await page.locator('#node-customers').click();
      await page.locator('#detail-sql').waitFor({ state: 'visible' });
      assert.equal(await page.locator('#detail-title').textContent(), 'customers');
      const sql = project.inputs.manifest.nodes.customers!.compiled_sql!;
      assert.ok(sql.length > 20);
      assert.equal(await page.locator('#detail-sql').textContent(), sql, 'the compiled SQL, verbatim');
      const columns = await page.locator('#detail-columns').textContent();
      assert.match(columns!, /lifetime_value/);
      assert.match(columns!, /expression/, 'column tests are listed');
      assert.equal(await page.locator('#node-customers.selected').count(), 1, 'the node is highlighted');
      assert.ok(page.url().endsWith('#node=customers'), 'the selection is linkable');

      // From the sidebar, another model replaces the panel.
      await page.locator('.model-list a[data-node="orders"]').click();
      await page.locator('#detail-title', { hasText: /^orders$/ }).waitFor();
      assert.equal(await page.locator('#detail-sql').textContent(), project.inputs.manifest.nodes.orders!.compiled_sql);
      assert.match((await page.locator('#detail').textContent())!, /incremental/);

      // A seed opens too (no SQL), and Escape closes the panel.
      await page.locator('#node-raw_payments').click();
      await page.locator('#detail-title', { hasText: 'raw_payments' }).waitFor();
      assert.equal(await page.locator('#detail-sql').count(), 0);
      await page.keyboard.press('Escape');
      await page.locator('#detail').waitFor({ state: 'hidden' });
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test('clicking a column shows its lineage upstream to the seed and downstream', BROWSER, async () => {
    const { page, problems } = await openSite(project.index);
    try {
      await page.locator('#node-customers').click();
      await page.locator('#detail-columns a.col-link', { hasText: /^lifetime_value$/ }).click();
      await page.locator('#column-upstream').waitFor();
      assert.ok(page.url().endsWith('#node=customers&column=lifetime_value'), 'the column is linkable');
      const up = (await page.locator('#column-upstream li').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
      assert.deepEqual(up, ['1 hop orders.amount transform', '2 hops stg_payments.amount transform', '3 hops raw_payments.amount transform']);
      // From a seed column down to every column it feeds.
      await page.locator('#column-upstream a[data-node="raw_payments"]').click();
      await page.locator('#detail-title', { hasText: /^raw_payments$/ }).waitFor();
      await page.locator('#column-downstream').waitFor();
      const down = await page.locator('#column-downstream').textContent();
      for (const c of ['stg_payments.amount', 'orders.amount', 'customers.lifetime_value']) assert.ok(down!.includes(c), c);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test('shows the last run, the run-duration chart and the lake batches', BROWSER, async () => {
    const { page, problems } = await openSite(project.index);
    try {
      assert.equal(await page.locator('#run-duration-chart').count(), 1);
      assert.equal(await page.locator('#run-duration-chart rect.bar').count(), project.inputs.runHistory.length);
      assert.match((await page.locator('#last-run').textContent())!, /1 · success/);
      assert.equal(await page.locator('#step-times .step').count(), Object.keys(project.inputs.lastRunMetrics!.steps!).length);
      const results = project.inputs.runResults!.results.filter((r) => r.kind === 'model');
      assert.equal(await page.locator('#model-metrics tbody tr').count(), results.length, 'a row per model result');
      assert.match((await page.locator('#test-results').textContent())!, /9 of 9 passed/);
      assert.equal(await page.locator('#lake-table tbody tr').count(), LAKE.length);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.locator('#node-customers').click();
      await page.locator('#detail-sql').waitFor();
      await page.screenshot({ path: join(ARTIFACTS, 'docs-site-jaffle.png') });
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test('serveDocs answers GET / with the page on 127.0.0.1 and a random port', async () => {
    const server: Server = serveDocs(join(project.dir, 'target', 'docs'), 0);
    try {
      await once(server, 'listening');
      const address = server.address() as AddressInfo;
      assert.equal(address.address, '127.0.0.1');
      assert.ok(address.port > 0);
      const get = (path: string, method = 'GET') =>
        new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port: address.port, path, method }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (body += d));
            res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
          });
          req.on('error', reject);
          req.end();
        });
      const page = await get('/');
      assert.equal(page.status, 200);
      assert.match(page.type, /^text\/html/);
      assert.equal(page.body, readFileSync(project.index, 'utf8'));
      assert.equal((await get('/index.html')).status, 200);
      assert.equal((await get('/../../project.yaml')).status, 404, 'nothing outside the site');
      assert.equal((await get('/%2e%2e/manifest.json')).status, 404);
      assert.equal((await get('/nope.html')).status, 404);
      assert.equal((await get('/', 'POST')).status, 405);
    } finally {
      server.close();
      await once(server, 'close');
    }
  });
});

describe('docs site of the Amazon Reviews project', () => {
  const project = builtProject(undefined, 2);

  test('every model drawn, a click shows compiled SQL, no errors; screenshot', BROWSER, async () => {
    const { page, problems } = await openSite(project.index);
    try {
      const models = modelNames(project.inputs);
      assert.ok(models.length >= 10, `${models.length} models`);
      assert.equal(await page.locator('svg [data-model]').count(), models.length);
      // Layers in project.yaml order, top to bottom.
      const bandY = async (layer: string) => (await page.locator(`svg#lineage-graph [data-band="${layer}"]`).boundingBox())!.y;
      const layers = project.inputs.manifest.layers.map((l) => l.name);
      for (let i = 1; i < layers.length; i++) assert.ok((await bandY(layers[i - 1]!)) < (await bandY(layers[i]!)), `${layers[i - 1]} above ${layers[i]}`);
      for (const m of models) {
        const layer = project.inputs.manifest.nodes[m]!.layer!;
        const band = (await page.locator(`svg#lineage-graph [data-band="${layer}"] rect.band-bg`).boundingBox())!;
        const node = (await page.locator(`#node-${m}`).boundingBox())!;
        assert.ok(node.y >= band.y && node.y + node.height <= band.y + band.height + 0.5, `${m} inside the ${layer} band`);
      }
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'docs-site-overview.png') });
      const model = models.includes('fact_reviews') ? 'fact_reviews' : models.at(-1)!;
      await page.locator(`#node-${model}`).click();
      await page.locator('#detail-sql').waitFor({ state: 'visible' });
      assert.equal(await page.locator('#detail-sql').textContent(), project.inputs.manifest.nodes[model]!.compiled_sql);
      assert.equal(await page.locator('#run-duration-chart rect.bar').count(), project.inputs.runHistory.length);
      await page.screenshot({ path: join(ARTIFACTS, 'docs-site.png') });
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });
});
