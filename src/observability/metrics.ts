import type { HealthReport } from './health.ts';

/** Label values escape backslash, double quote and newline (exposition format 0.0.4). */
const label = (v: string): string => v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');

interface Family {
  name: string;
  help: string;
  type?: 'gauge' | 'counter';
  samples: { labels?: Record<string, string>; value: number | null }[];
}

/**
 * The KPIs and per-model figures in Prometheus' text exposition format, ready for
 * node_exporter's textfile collector. Unknown values are left out, not reported as 0.
 */
export function prometheusText(report: HealthReport): string {
  const k = report.kpis;
  const families: Family[] = [
    { name: 'strata_up', help: '1 when the health check ran', samples: [{ value: 1 }] },
    { name: 'strata_db_connectivity', help: '1 when select 1 succeeded on the target', samples: [{ value: k.db_connectivity }] },
    { name: 'strata_db_latency_seconds', help: 'Round trip of select 1', samples: [{ value: k.db_latency_seconds }] },
    { name: 'strata_pipeline_success', help: '1 when the last run succeeded and was published', samples: [{ value: k.pipeline_success }] },
    { name: 'strata_pipeline_latency_seconds', help: 'Wall time of the last run', samples: [{ value: k.pipeline_latency_seconds }] },
    { name: 'strata_gold_freshness_seconds', help: 'Seconds since the published batch was published', samples: [{ value: k.gold_freshness_seconds }] },
    { name: 'strata_last_run_timestamp_seconds', help: 'Unix time the last run finished', samples: [{ value: k.last_run_timestamp_seconds }] },
    { name: 'strata_tests_failed', help: 'Error-severity data tests that failed in the last run', samples: [{ value: k.tests_failed }] },
    { name: 'strata_lake_active_complete', help: '1 when every lake layer has a complete active batch', samples: [{ value: k.lake_active_complete }] },
    { name: 'strata_migrations_pending', help: 'Migrations on disk not yet applied', samples: [{ value: k.migrations_pending }] },
    { name: 'strata_batch_consistent', help: '1 when the database, the lake and the last run name the same published batch', samples: [{ value: k.batch_consistent }] },
    {
      name: 'strata_runs_total',
      help: 'Runs recorded in the database, by outcome (success or failed)',
      type: 'counter',
      samples: report.counters.map((c) => ({ labels: { status: c.status }, value: c.runs })),
    },
    {
      name: 'strata_models_failed_total',
      help: 'Models that failed, summed over all runs',
      type: 'counter',
      samples: report.counters.length ? [{ value: report.counters.reduce((n, c) => n + c.modelsFailed, 0) }] : [],
    },
    {
      name: 'strata_tests_failed_total',
      help: 'Error-severity data tests that failed, summed over all runs',
      type: 'counter',
      samples: report.counters.length ? [{ value: report.counters.reduce((n, c) => n + c.testsFailed, 0) }] : [],
    },
    {
      name: 'strata_run_duration_seconds_total',
      help: 'Wall time of all runs, by outcome (divide by strata_runs_total for the mean)',
      type: 'counter',
      samples: report.counters.map((c) => ({ labels: { status: c.status }, value: Math.round(c.durationSeconds * 1000) / 1000 })),
    },
    {
      name: 'strata_source_age_seconds',
      help: 'Age of the newest row of a source table (its loaded_at_field)',
      samples: (report.freshness ?? []).map((f) => ({ labels: { source: f.source, table: f.table }, value: f.ageSeconds })),
    },
    {
      name: 'strata_source_freshness_status',
      help: 'Source freshness per table: 0 pass, 1 warn, 2 error',
      samples: (report.freshness ?? []).map((f) => ({ labels: { source: f.source, table: f.table }, value: { pass: 0, warn: 1, error: 2 }[f.status] })),
    },
    {
      name: 'strata_health_status',
      help: 'Overall health: 0 healthy, 1 degraded, 2 down',
      samples: [{ value: { healthy: 0, degraded: 1, down: 2 }[report.status] }],
    },
    {
      name: 'strata_model_rows',
      help: 'Rows each model produced in the last run',
      samples: report.models.map((m) => ({ labels: { model: m.model, ...(m.layer ? { layer: m.layer } : {}) }, value: m.rows })),
    },
    {
      name: 'strata_model_duration_seconds',
      help: 'Seconds each model took in the last run',
      samples: report.models.map((m) => ({ labels: { model: m.model, ...(m.layer ? { layer: m.layer } : {}) }, value: m.seconds })),
    },
  ];
  if (report.batchId) {
    families.push({ name: 'strata_published_batch_info', help: 'The published batch', samples: [{ labels: { batch_id: report.batchId }, value: 1 }] });
  }
  const lines: string[] = [];
  for (const f of families) {
    const samples = f.samples.filter((s) => s.value !== null && Number.isFinite(s.value));
    if (samples.length === 0) continue;
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type ?? 'gauge'}`);
    for (const s of samples) {
      const labels = s.labels ? `{${Object.entries(s.labels).map(([k2, v]) => `${k2}="${label(v)}"`).join(',')}}` : '';
      lines.push(`${f.name}${labels} ${s.value}`);
    }
  }
  return lines.join('\n') + '\n';
}
