/**
 * Source freshness, as dbt has it: per source table, the newest `loaded_at_field` against
 * `warn_after` / `error_after`. A table with no rows (or no timestamp) is an error: no data
 * is the stalest data of all.
 */
import type { Queryable } from '../engine/engine.ts';
import { qualify, quoteIdent } from '../engine/quote.ts';
import type { Project } from '../project/types.ts';

export type FreshnessStatus = 'pass' | 'warn' | 'error';

export interface FreshnessResult {
  source: string;
  table: string;
  loadedAtField: string;
  /** ISO time of the newest row, or null when the table has none. */
  maxLoadedAt: string | null;
  ageSeconds: number | null;
  warnAfterSeconds: number | null;
  errorAfterSeconds: number | null;
  status: FreshnessStatus;
  /** Why it is an error when the table could not be read (missing table or column). */
  error?: string;
}

export async function sourceFreshness(db: Queryable, project: Project, now = new Date()): Promise<FreshnessResult[]> {
  const results: FreshnessResult[] = [];
  for (const source of project.config.sources) {
    for (const [table, f] of Object.entries(source.freshness ?? {})) {
      const base = {
        source: source.name, table, loadedAtField: f.loadedAtField,
        warnAfterSeconds: f.warnAfterSeconds ?? null, errorAfterSeconds: f.errorAfterSeconds ?? null,
      };
      try {
        const { rows } = await db.query<{ newest: Date | string | null }>(
          `select max(${quoteIdent(f.loadedAtField)})::timestamptz as newest from ${qualify(source.schema, table)}`,
        );
        const newest = rows[0]?.newest ? new Date(rows[0].newest) : null;
        const age = newest ? Math.max(0, Math.round((now.getTime() - newest.getTime()) / 1000)) : null;
        const status: FreshnessStatus =
          age === null || (f.errorAfterSeconds !== undefined && age > f.errorAfterSeconds) ? 'error'
          : f.warnAfterSeconds !== undefined && age > f.warnAfterSeconds ? 'warn'
          : 'pass';
        results.push({ ...base, maxLoadedAt: newest?.toISOString() ?? null, ageSeconds: age, status });
      } catch (err) {
        results.push({ ...base, maxLoadedAt: null, ageSeconds: null, status: 'error', error: (err as Error).message });
      }
    }
  }
  return results;
}

/** The worst status: what `source freshness` exits with (0 pass, 1 warn, 2 error). */
export function worstFreshness(results: readonly FreshnessResult[]): FreshnessStatus {
  return results.some((r) => r.status === 'error') ? 'error' : results.some((r) => r.status === 'warn') ? 'warn' : 'pass';
}

const hours = (s: number): string => (s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

/** One line per table, for people. */
export function describeFreshness(r: FreshnessResult): string {
  const limits = [r.warnAfterSeconds !== null ? `warn after ${hours(r.warnAfterSeconds)}` : '', r.errorAfterSeconds !== null ? `error after ${hours(r.errorAfterSeconds)}` : '']
    .filter(Boolean).join(', ');
  const what = r.error ? `cannot read: ${r.error}` : r.ageSeconds === null ? 'no rows' : `newest ${r.loadedAtField} ${hours(r.ageSeconds)} old (${r.maxLoadedAt})`;
  return `${r.source}.${r.table}: ${what}${limits ? `; ${limits}` : ''}`;
}
