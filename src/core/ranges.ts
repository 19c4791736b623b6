/**
 * The numbers people give strata, and the range each must fall in: one definition for the
 * command-line flags (src/cli/options.ts) and project.yaml (src/project/config.ts), so the
 * same value is accepted or refused with the same words wherever it is written.
 */
import { groupThousands } from './numbers.ts';

export interface Range {
  min: number;
  max: number;
  /** Whole numbers only. */
  integer: boolean;
}

export const RANGES = {
  /** Models built at once; each holds a connection (PostgreSQL allows 100 by default). */
  threads: { min: 1, max: 64, integer: true },
  /** How long to wait for another build's lock. */
  lockTimeoutSeconds: { min: 0, max: 86_400, integer: false },
  /** Published batches kept for instant rollback (the current one and at least one before it). */
  keepBatches: { min: 2, max: 1_000, integer: true },
  retentionDays: { min: 0, max: 36_500, integer: false },
  hours: { min: 0, max: 8_760, integer: false },
  seconds: { min: 0, max: 86_400, integer: false },
  port: { min: 0, max: 65_535, integer: true },
  count: { min: 1, max: 1_000_000_000, integer: true },
  seed: { min: -2_147_483_648, max: 2_147_483_647, integer: true },
} as const satisfies Record<string, Range>;

export function describeRange(r: Range): string {
  return `${r.integer ? 'a whole number' : 'a number'} from ${groupThousands(r.min)} to ${groupThousands(r.max)}`;
}

/** null when `value` is a number in `range`, else what was expected. */
export function checkRange(value: unknown, range: Range): string | null {
  const ok = typeof value === 'number' && Number.isFinite(value) && (!range.integer || Number.isInteger(value)) && value >= range.min && value <= range.max;
  return ok ? null : `expected ${describeRange(range)}`;
}
