import { join } from 'node:path';
import type { EventSink } from '../observability/events.ts';
import { artifactPath } from '../core/artifacts.ts';

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
  runResults: artifactPath(projectDir, 'runResults'),
  lastRunMetrics: artifactPath(projectDir, 'lastRunMetrics'),
  /** The batch plan the last build or run executed. */
  plan: artifactPath(projectDir, 'plan'),
  target: join(projectDir, 'target'),
});
