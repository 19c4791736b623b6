import { join } from 'node:path';
import type { EventSink } from '../observability/events.ts';

/** Options every command shares. */
export interface CommonOptions {
  projectDir: string;
  databaseUrl?: string;
  target?: string;
  /** `--direct`: connect with DATABASE_URL_DIRECT instead of the pooled URL. */
  direct?: boolean;
  vars?: string;
  /** Where run events go; the CLI passes the console or JSON sink. logs/pipeline.log is always added. */
  sinks?: EventSink[];
}

export const projectPaths = (projectDir: string) => ({
  log: join(projectDir, 'logs', 'pipeline.log'),
  runResults: join(projectDir, 'target', 'run_results.json'),
  lastRunMetrics: join(projectDir, 'docs', 'last_run_metrics.json'),
  /** The batch plan the last build or run executed. */
  plan: join(projectDir, 'target', 'plan.json'),
  target: join(projectDir, 'target'),
});
