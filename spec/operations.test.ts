/**
 * Operations on both engines: health (healthy, stale, down), metrics parsed by a real
 * Prometheus parser (promtool), and metrics --out written atomically.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { JAFFLE, TOOLS, copyProject, needs, useSpecProject, relationChecksum, runCli, targets, withEngine } from './support.ts';

const PROMTOOL = TOOLS.promtool.path;
/** promtool parses the metrics where it is installed; elsewhere those tests are reported as not run (CI requires it). */
const PROMTOOL_TESTS = needs(TOOLS.promtool);

function promtoolCheck(text: string): string {
  // `promtool check metrics` reads the exposition text on stdin; lint problems make it exit 1.
  return execFileSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
}

for (const factory of targets()) {
  describe(`operations on ${factory.name}`, () => {
    const spec = useSpecProject(factory, JAFFLE, async ({ target, project }) => {
      const r = await runCli(['build'], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      // build ended with the lake export; exporting the same batch again is a no-op.
      const ex = await runCli(['export'], { projectDir: project, target });
      assert.equal(ex.code, 0, ex.stdout + ex.stderr);
      assert.match(ex.stdout, /already in the lake/);
    });

    test('health on a healthy project: exit 0, every check OK, --json for machines', async () => {
      const { target, project } = spec;
      const r = await runCli(['health'], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /strata health: HEALTHY/);
      for (const check of ['db_connectivity', 'last_run', 'gold_freshness', 'migrations', 'lake_marts']) assert.match(r.stdout, new RegExp(`OK\\s+${check}`));
      const j = await runCli(['--json', 'health'], { projectDir: project, target });
      const report = JSON.parse(j.stdout);
      assert.equal(report.status, 'healthy');
      assert.equal(report.kpis.db_connectivity, 1);
      assert.equal(report.kpis.pipeline_success, 1);
      assert.ok(report.kpis.gold_freshness_seconds >= 0 && report.kpis.gold_freshness_seconds < 600);
    });

    test('health with stale gold: exit 1, freshness named', async () => {
      const { target, project } = spec;
      const yaml = join(project, 'project.yaml');
      const original = readFileSync(yaml, 'utf8');
      writeFileSync(yaml, original + 'health:\n  gold_freshness_hours: 0.0001\n');
      try {
        await new Promise((r) => setTimeout(r, 1000));
        const r = await runCli(['health'], { projectDir: project, target });
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /strata health: DEGRADED/);
        assert.match(r.stdout, /WARN\s+gold_freshness\s+gold published .* ago .*threshold 0.0001 h — STALE/);
      } finally {
        writeFileSync(yaml, original);
      }
    });

    test('metrics: Prometheus text that promtool accepts, with the KPIs and per-model rows', PROMTOOL_TESTS, async () => {
      const { target, project } = spec;
      const r = await runCli(['metrics'], { projectDir: project, target });
      assert.equal(r.code, 0, r.stderr);
      promtoolCheck(r.stdout);
      assert.match(r.stdout, /^strata_pipeline_success 1$/m);
      assert.match(r.stdout, /^strata_pipeline_latency_seconds \d+(\.\d+)?$/m);
      assert.match(r.stdout, /^strata_gold_freshness_seconds \d+$/m);
      assert.match(r.stdout, /^strata_model_rows\{model="customers",layer="marts"\} 100$/m);
      assert.match(r.stdout, /^strata_db_connectivity 1$/m);
      const out = join(project, 'textfile', 'strata.prom');
      const w = await runCli(['metrics', '--out', out], { projectDir: project, target });
      assert.equal(w.code, 0, w.stderr);
      promtoolCheck(readFileSync(out, 'utf8'));
    });

    test('lake rollback brings back the earlier batch in the lake and in the database', async () => {
      const { target, project } = spec;
      const before = await withEngine(target, (db) => relationChecksum(db, 'marts.customers'));
      const first = readFileSync(join(project, 'data', 'marts', 'active'), 'utf8').trim();
      const seed = join(project, 'seeds', 'raw_customers.csv');
      appendFileSync(seed, `999,Late,L.${readFileSync(seed, 'utf8').includes('\r\n') ? '\r\n' : '\n'}`);
      const b = await runCli(['build'], { projectDir: project, target });
      assert.equal(b.code, 0, b.stdout + b.stderr);
      assert.notEqual(await withEngine(target, (db) => relationChecksum(db, 'marts.customers')), before);
      const r = await runCli(['lake', 'rollback'], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`marts: active \\S+ → ${first} \\(database too\\)`));
      assert.equal(readFileSync(join(project, 'data', 'marts', 'active'), 'utf8').trim(), first);
      assert.equal(await withEngine(target, (db) => relationChecksum(db, 'marts.customers')), before);
    });
  });
}

test('health with the database down: exit 2, a clear message, the URL masked', PROMTOOL_TESTS, async () => {
  const project = copyProject(JAFFLE);
  try {
    const url = 'postgres://etl:Sup3rS3cret@127.0.0.1:1/reviews';
    const r = await runCli(['health'], { projectDir: project, env: { DATABASE_URL: url } });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /strata health: DOWN/);
    assert.match(r.stdout, /DOWN\s+db_connectivity\s+cannot reach 127\.0\.0\.1:1\/reviews \(etl\): .*ECONNREFUSED/);
    assert.doesNotMatch(r.stdout + r.stderr, /Sup3rS3cret/);
    const m = await runCli(['metrics'], { projectDir: project, env: { DATABASE_URL: url } });
    assert.equal(m.code, 0);
    promtoolCheck(m.stdout);
    assert.match(m.stdout, /^strata_db_connectivity 0$/m);
    assert.match(m.stdout, /^strata_health_status 2$/m);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
