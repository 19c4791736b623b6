/** serve: the read-only API over the published batch and the product page, until Ctrl-C. */
import type { Command } from 'commander';
import { SERVE_DEFAULTS } from '../serve/defaults.ts';
import { ExitCode } from '../core/errors.ts';
import { act, commonOptions, print } from './context.ts';
import { flag, numberIn } from './options.ts';

interface ServeFlags {
  host: string;
  port: number;
  role: string;
  statementTimeout: number;
  rateLimit: number;
  cors?: string[];
  maxAge: number;
  cacheMb: number;
  connections: number;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the published gold over a read-only HTTP API (endpoints = api/*.sql), its OpenAPI document and the product page')
    .option('--host <host>', 'address to listen on', SERVE_DEFAULTS.host)
    .option('--port <n>', 'port to listen on (0: any free port)', flag.port, SERVE_DEFAULTS.port)
    .option('--role <name>', 'the read role of project.yaml the API reads as', SERVE_DEFAULTS.role)
    .option('--statement-timeout <ms>', 'longest a request may query, in milliseconds', numberIn({ min: 10, max: 600_000, integer: true }), SERVE_DEFAULTS.statementTimeoutMs)
    .option('--rate-limit <n>', 'requests per minute per client on /api (0: no limit)', numberIn({ min: 0, max: 10_000_000, integer: true }), SERVE_DEFAULTS.rateLimitPerMinute)
    .option('--cors <origins>', "origins allowed to call the API from a browser, e.g. 'https://shop.example' (comma-separated)", flag.list)
    .option('--max-age <s>', 'Cache-Control max-age in seconds (0: revalidate every time, a cheap 304)', numberIn({ min: 0, max: 86_400, integer: true }), SERVE_DEFAULTS.maxAgeSeconds)
    .option('--cache-mb <n>', 'memory for answers already given, each reused only while its batch is the published one (0: every request reads the database)', numberIn({ min: 0, max: 65_536, integer: true }), SERVE_DEFAULTS.cacheMb)
    .option('--connections <n>', 'database connections (PostgreSQL)', numberIn({ min: 1, max: 100, integer: true }), SERVE_DEFAULTS.connections)
    .addHelpText('after', `
Examples:
  strata serve                                  # http://127.0.0.1:8080/ : the product page
  strata serve --port 3000 --cors https://shop.example
  curl -i http://127.0.0.1:8080/api/products/B0001/reviews?sort=critical&limit=5
  curl http://127.0.0.1:8080/openapi.json

On PostgreSQL it logs in as the read role (its password from the role's password_env in
project.yaml, or STRATA_SERVE_DATABASE_URL); on the embedded engine it switches to that role.`)
    .action(act(async (f: ServeFlags) => {
      const c = commonOptions(program);
      // fastify, pg and the page are loaded only when serving.
      const { serve } = await import('../api/serve.ts');
      const s = await serve({
        ...c,
        host: f.host,
        port: f.port,
        role: f.role,
        statementTimeoutMs: f.statementTimeout,
        rateLimitPerMinute: f.rateLimit,
        corsOrigins: f.cors ?? [],
        maxAgeSeconds: f.maxAge,
        cacheMb: f.cacheMb,
        connections: f.connections,
        onError: (m) => process.stderr.write(`error: ${m}\n`),
      });
      print(c.json, { url: s.url, endpoints: s.endpoints.map((e) => e.path), database: s.label, role: s.role }, () =>
        [`serving ${s.url}/ (product page) from ${s.label} as ${s.role} (Ctrl-C to stop)`, ...s.endpoints.map((e) => `  GET ${e.path}`), `  GET /openapi.json, /healthz, /metrics`].join('\n'),
      );
      await new Promise<void>((done) => {
        const stop = (): void => void s.close().then(done, done);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      return ExitCode.ok;
    }));
}
