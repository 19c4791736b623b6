import type { CommonOptions } from './context.ts';
import { withProjectSession } from './session.ts';
import { sourceFreshness, type FreshnessResult } from '../sources/freshness.ts';

/** `source freshness`: every source table that declares `loaded_at_field`, judged now. */
export async function freshness(opts: CommonOptions & { now?: Date }): Promise<FreshnessResult[]> {
  return withProjectSession(opts, (s, project) => sourceFreshness(s.engine, project, opts.now));
}
