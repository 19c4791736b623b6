/** How long `health` and `metrics` take at most unless told otherwise; apart, so the CLI shows it without loading the checks. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 10_000;
