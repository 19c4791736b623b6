/**
 * The files under ops/ that people install: Prometheus alert rules (checked and unit-tested
 * by promtool), the Grafana dashboard (importable JSON over metrics strata really emits),
 * and the crontab (flock, timeout, an alert hook; valid shell).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { prometheusText } from '../src/observability/metrics.ts';
import { timedOutReport, type HealthReport } from '../src/observability/health.ts';
import { REPO, TOOLS, needs } from './support.ts';

const OPS = join(REPO, 'ops');
const RULES = join(OPS, 'prometheus', 'strata-alerts.yml');

/** Every metric family `strata metrics` can print, from a report with every figure known. */
function emittedMetrics(): Set<string> {
  const report: HealthReport = {
    ...timedOutReport('t', 1),
    status: 'healthy',
    batchId: 'b1',
    kpis: {
      db_connectivity: 1, db_latency_seconds: 0.01, pipeline_success: 1, pipeline_latency_seconds: 3, gold_freshness_seconds: 60,
      last_run_timestamp_seconds: 1, tests_failed: 0, lake_active_complete: 1, migrations_pending: 0, batch_consistent: 1,
    },
    models: [{ model: 'm', layer: 'gold', rows: 1, seconds: 1 }],
    counters: [{ status: 'success', runs: 1, modelsFailed: 0, testsFailed: 0, durationSeconds: 1 }],
  };
  return new Set([...prometheusText(report).matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!));
}

/** Metric names in a PromQL expression (functions, keywords and label names left out). */
function metricsIn(expr: string): string[] {
  return [...expr.replace(/\{[^}]*\}/g, '').replace(/\b(by|without)\s*\([^)]*\)/g, '').matchAll(/\b(strata_[a-z_]+)\b/g)].map((m) => m[1]!);
}

test('the alert rules pass promtool check rules', needs(TOOLS.promtool), () => {
  const out = execFileSync(TOOLS.promtool.path, ['check', 'rules', RULES], { encoding: 'utf8' });
  assert.match(out, /SUCCESS: \d+ rules found/);
});

test("the alert rules' unit tests pass (promtool test rules)", needs(TOOLS.promtool), () => {
  const r = spawnSync(TOOLS.promtool.path, ['test', 'rules', 'strata-alerts.test.yml'], { cwd: join(OPS, 'prometheus'), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /SUCCESS/);
});

test('the alert rules cover the four KPIs and use only metrics strata emits', () => {
  const emitted = emittedMetrics();
  const rules = (parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap((g) => g.rules);
  for (const r of rules) for (const m of metricsIn(r.expr)) assert.ok(emitted.has(m), `${r.alert}: ${m} is not a metric strata emits`);
  const used = new Set(rules.flatMap((r) => metricsIn(r.expr)));
  for (const kpi of ['strata_pipeline_success', 'strata_pipeline_latency_seconds', 'strata_db_connectivity', 'strata_gold_freshness_seconds', 'strata_runs_total']) {
    assert.ok(used.has(kpi), `no alert on ${kpi}`);
  }
});

test('the Grafana dashboard is importable JSON over metrics strata emits', () => {
  const dash = JSON.parse(readFileSync(join(OPS, 'grafana', 'strata-dashboard.json'), 'utf8')) as {
    title: string;
    __inputs: { name: string; type: string }[];
    panels: { title: string; type: string; gridPos: object; targets: { expr: string }[] }[];
  };
  assert.ok(dash.title && dash.__inputs.some((i) => i.type === 'datasource'));
  const emitted = emittedMetrics();
  const titles = dash.panels.map((p) => p.title.toLowerCase());
  for (const want of ['run status', 'latency', 'error rate', 'freshness', 'rows per layer', 'slowest models']) {
    assert.ok(titles.some((t) => t.includes(want)), `no panel for ${want}`);
  }
  for (const p of dash.panels) {
    assert.ok(p.gridPos && p.targets.length > 0, p.title);
    for (const t of p.targets) for (const m of metricsIn(t.expr)) assert.ok(emitted.has(m), `${p.title}: ${m} is not a metric strata emits`);
  }
});

test('the crontab runs every job under flock and timeout, alerts on failure, and is valid shell', () => {
  const lines = readFileSync(join(OPS, 'crontab'), 'utf8').split('\n').filter((l) => /^[\d*]/.test(l));
  assert.ok(lines.length >= 2);
  for (const line of lines) {
    const command = line.split(/\s+/).slice(5).join(' ');
    assert.match(command, /flock -n \S+ timeout /, line);
    const syntax = spawnSync('bash', ['-n', '-c', command], { encoding: 'utf8' });
    assert.equal(syntax.status, 0, `${line}\n${syntax.stderr}`);
  }
  assert.match(lines.find((l) => l.includes(' build '))!, /\|\| echo .* \| \$ALERT_CMD/);
});
