import { existsSync, readFileSync } from 'node:fs';

/** One line of logs/pipeline.log, as written by the log sink. */
export type LogEvent = Record<string, unknown> & { ts?: string; batch_id?: string | null; event?: string };

export interface Failure {
  batchId: string | null;
  /** The run's end (absent when the run died before it: killed, crashed). */
  runEnd: LogEvent | null;
  /** Every line of that run saying what failed: errors, failed models and tests, why nothing was published. */
  lines: LogEvent[];
}

/** Whether one log line reports something that failed, whatever failed. */
export function isFailureLine(e: LogEvent): boolean {
  if (e.event === 'error' || e.event === 'not_published') return true;
  if (e.event === 'model_end') return e.status === 'error';
  if (e.event === 'test_end') return (e.status === 'fail' || e.status === 'error') && e.severity !== 'warn';
  if (e.event === 'run_end') return e.status !== 'success';
  return false;
}

function parse(path: string): LogEvent[] {
  if (!existsSync(path)) return [];
  const out: LogEvent[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as LogEvent);
    } catch {
      // A line cut short by a crash: the lines around it still count.
    }
  }
  return out;
}

/**
 * The last run that failed, with its failure lines — a failed model, a failed data test
 * (`"status":"fail"`, which never logs an `error` event), a lost lock, a failed export.
 * Null when no run in the log failed.
 */
export function lastFailure(logPath: string): Failure | null {
  const events = parse(logPath);
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (!isFailureLine(e)) continue;
    const batchId = e.batch_id ?? null;
    const run = events.filter((x) => (x.batch_id ?? null) === batchId);
    return { batchId, runEnd: run.filter((x) => x.event === 'run_end').at(-1) ?? null, lines: run.filter(isFailureLine) };
  }
  return null;
}

/** For people: when, which batch, and each failure on one line. */
export function formatFailure(f: Failure | null, logPath: string): string {
  if (!f) return `no failure in ${logPath}`;
  const what = (e: LogEvent): string => {
    switch (e.event) {
      case 'model_end':
        return `model ${String(e.model)} failed: ${String(e.error ?? '')}`;
      case 'test_end':
        return `test ${String(e.test)} ${String(e.status)}ed${e.failures ? ` (${String(e.failures)} failing rows)` : ''}${e.error ? `: ${String(e.error)}` : ''}`;
      case 'not_published':
        return `not published: ${String(e.reason)}`;
      case 'run_end':
        return `run ended ${String(e.status)} after ${String(e.duration_s)}s`;
      default:
        return `error: ${String(e.message)}`;
    }
  };
  return [`last failure: batch ${f.batchId ?? '?'}${f.runEnd?.ts ? `, ended ${f.runEnd.ts}` : ''}`, ...f.lines.map((e) => `  ${e.ts ?? ''}  ${what(e)}`)].join('\n');
}
