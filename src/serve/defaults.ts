/** What `serve` does unless told otherwise; a module of its own so the CLI shows them without loading the server. */

/** The role `serve` reads as unless told otherwise: the gold layer's read-only role. */
export const DEFAULT_SERVE_ROLE = 'analytics_user';

export const SERVE_DEFAULTS = { host: '127.0.0.1', port: 8080, role: DEFAULT_SERVE_ROLE, statementTimeoutMs: 2000, rateLimitPerMinute: 1200, maxAgeSeconds: 0, cacheMb: 64, connections: 8 };
