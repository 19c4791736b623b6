import type { Queryable } from '../engine/engine.ts';

/**
 * Monotonic counters of every run, kept in the database rather than in a file: they
 * survive a lost project directory and any machine running the job adds to the same
 * totals, so Prometheus can compute an error rate with `rate()`.
 */
export interface RunCounter {
  status: string;
  runs: number;
  modelsFailed: number;
  testsFailed: number;
  durationSeconds: number;
}

export async function recordRun(
  db: Queryable,
  run: { status: string; modelsFailed: number; testsFailed: number; durationSeconds: number },
): Promise<void> {
  await db.query(
    `insert into strata.run_counters as c (status, runs, models_failed, tests_failed, duration_seconds) values ($1, 1, $2, $3, $4)
     on conflict (status) do update set runs = c.runs + 1, models_failed = c.models_failed + excluded.models_failed,
       tests_failed = c.tests_failed + excluded.tests_failed, duration_seconds = c.duration_seconds + excluded.duration_seconds`,
    [run.status, run.modelsFailed, run.testsFailed, run.durationSeconds],
  );
}

export async function readRunCounters(db: Queryable): Promise<RunCounter[]> {
  const { rows } = await db.query<{ status: string; runs: string; models_failed: string; tests_failed: string; duration_seconds: number }>(
    'select status, runs, models_failed, tests_failed, duration_seconds from strata.run_counters order by status',
  );
  return rows.map((r) => ({
    status: r.status,
    runs: Number(r.runs),
    modelsFailed: Number(r.models_failed),
    testsFailed: Number(r.tests_failed),
    durationSeconds: Number(r.duration_seconds),
  }));
}
