/** Timestamps are carried as integer microseconds since the Unix epoch (exact in a double until year 2255). */
export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_DAY = 86_400 * MICROS_PER_SECOND;
const MICROS_PER_HOUR = 3_600 * MICROS_PER_SECOND;
const MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;

const TWO_DIGITS: readonly string[] = Array.from({ length: 60 }, (_, n) => (n < 10 ? '0' + n : String(n)));
// Formatting runs for every timestamp of every row; going through Date each time cost a
// sixth of generation. A data set spans a few thousand days, so day prefixes are cached.
const datePrefixByDay = new Map<number, string>();

export function utcMicros(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) * 1000;
}

/** ISO-8601 UTC with microseconds, e.g. 2023-04-05T10:11:12.123456Z — what timestamptz reads losslessly. */
export function formatTimestamp(micros: number): string {
  const day = Math.floor(micros / MICROS_PER_DAY);
  let prefix = datePrefixByDay.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * 86_400_000).toISOString().slice(0, 11);
    datePrefixByDay.set(day, prefix);
  }
  let rest = micros - day * MICROS_PER_DAY;
  const hours = Math.floor(rest / MICROS_PER_HOUR);
  rest -= hours * MICROS_PER_HOUR;
  const minutes = Math.floor(rest / MICROS_PER_MINUTE);
  rest -= minutes * MICROS_PER_MINUTE;
  const seconds = Math.floor(rest / MICROS_PER_SECOND);
  const fraction = String(rest - seconds * MICROS_PER_SECOND + MICROS_PER_SECOND).slice(1);
  return `${prefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${fraction}Z`;
}
