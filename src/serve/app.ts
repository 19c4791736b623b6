/**
 * The HTTP side of `serve`: a Fastify app whose only routes are the declared endpoints,
 * the OpenAPI document, /healthz, /metrics and the product page. Parameters are checked by
 * Fastify's JSON schemas (400 with the reason), every answer names its batch and carries an
 * ETag of batch + request, and no error ever shows SQL, a stack trace or a secret.
 */
import { createHash, randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Engine, QueryResult, Queryable } from '../engine/engine.ts';
import { CURSOR, type Endpoint, type ParamSpec } from './endpoints.ts';
import { ServeMetrics } from './metrics.ts';
import type { PageAsset } from './page.ts';
import { batchOfComment } from '../batch/publish.ts';
import { AnswerCache } from './cache.ts';
import { BATCH_COLUMN, PublishedBatchReader, batchOf, withBatchColumn, withSnapshot, type PublishedBatch } from './snapshot.ts';
import { columnSchema, rowConverter, type JsonSchema } from './values.ts';

export interface ServeConfig {
  engine: Engine;
  endpoints: Endpoint[];
  /** Column descriptions from the models' schema.yml, by model then column. */
  columnDocs?: Map<string, Map<string, string>>;
  /** The embedded engine switches to the read role per request (it has no logins). */
  setRole?: string;
  /**
   * The connection is the read role's own login, read-only and with the statement timeout set
   * for the session: then a request is one statement, one round trip.
   */
  sessionIsReadRole?: boolean;
  statementTimeoutMs: number;
  /** Requests per minute per client on /api; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** Origins allowed to call the API from a browser (the shop's front); none by default. */
  corsOrigins: string[];
  /**
   * Bytes of answers kept in memory, each valid while its batch is the published one (checked
   * per request); 0 = every request reads the database.
   */
  cacheBytes: number;
  /** Cache-Control max-age; 0 = revalidate every time (an ETag makes that a cheap 304). */
  maxAgeSeconds: number;
  /** Hours after which /healthz calls the published batch stale. */
  freshnessHours: number;
  page?: PageAsset[];
  /** Where server-side errors are reported (already free of secrets by the caller's sink). */
  onError?: (message: string) => void;
  title?: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';

const ERROR_SCHEMA = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' } },
  required: ['error', 'message'],
};

const cursorOf = (position: unknown): string => Buffer.from(`p${String(position)}`).toString('base64url');
function positionOf(cursor: string): bigint | null {
  const text = Buffer.from(cursor, 'base64url').toString();
  return /^p\d{1,18}$/.test(text) ? BigInt(text.slice(1)) : null;
}

function paramSchema(p: ParamSpec): JsonSchema {
  return {
    type: p.type,
    ...(p.description ? { description: p.description } : {}),
    ...(p.default !== undefined ? { default: p.default } : {}),
    ...(p.enum ? { enum: p.enum } : {}),
    ...(p.minimum !== undefined ? { minimum: p.minimum } : {}),
    // JSON numbers past 2^53 lose digits: an integer parameter stops there.
    ...(p.type === 'integer' ? { maximum: Math.min(p.maximum ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER), minimum: Math.max(p.minimum ?? Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER) } : {}),
    ...(p.type === 'number' && p.maximum !== undefined ? { maximum: p.maximum } : {}),
    ...(p.maxLength !== undefined ? { maxLength: p.maxLength } : {}),
    ...(p.pattern !== undefined ? { pattern: p.pattern } : {}),
  };
}

function requestSchemas(e: Endpoint): { params?: JsonSchema; querystring?: JsonSchema } {
  const path = e.params.filter((p) => p.in === 'path');
  const query = e.params.filter((p) => p.in === 'query');
  const qProps: Record<string, JsonSchema> = Object.fromEntries(query.map((p) => [p.name, paramSchema(p)]));
  if (e.paginate) qProps[CURSOR] = { type: 'string', maxLength: 40, pattern: '^[A-Za-z0-9_-]+$', description: 'next_cursor of the previous page' };
  return {
    ...(path.length ? { params: { type: 'object', properties: Object.fromEntries(path.map((p) => [p.name, paramSchema(p)])), required: path.map((p) => p.name), additionalProperties: false } } : {}),
    ...(Object.keys(qProps).length ? { querystring: { type: 'object', properties: qProps, required: query.filter((p) => p.required).map((p) => p.name), additionalProperties: false } } : {}),
  };
}

/** The row schema, from the columns the endpoint's query returns (described once at start). */
function rowSchema(e: Endpoint, fields: { name: string; dataTypeID: number }[] | undefined, docs?: Map<string, Map<string, string>>): JsonSchema {
  if (!fields) return { type: 'object', additionalProperties: true };
  const describe = (column: string): string | undefined => {
    if (e.columns?.[column]) return e.columns[column];
    // The models it reads first, then any model documenting a column of that name (a column passed through).
    for (const model of [...e.refs, ...(docs?.keys() ?? [])]) {
      const d = docs?.get(model)?.get(column);
      if (d) return d;
    }
    return column === 'position' ? 'Where the row stands in this order (1 = first); the cursor resumes after it.' : undefined;
  };
  return { type: 'object', properties: Object.fromEntries(fields.map((f) => [f.name, columnSchema(f, describe(f.name))])) };
}

/** How a validation error reads: where, and what was expected. */
function validationMessage(err: FastifyError): string {
  const v = err.validation?.[0];
  if (!v) return err.message;
  const where = (err.validationContext ?? 'request').replace('querystring', 'query parameter').replace('params', 'path parameter');
  const name = v.instancePath.replace(/^\//, '');
  if (v.keyword === 'additionalProperties') return `unknown ${where} ${(v.params as { additionalProperty: string }).additionalProperty}`;
  if (v.keyword === 'required') return `missing ${where} ${(v.params as { missingProperty: string }).missingProperty}`;
  if (v.keyword === 'enum') return `${where} ${name} must be one of ${(v.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  return `${where} ${name} ${v.message}`;
}

export async function buildServer(cfg: ServeConfig): Promise<FastifyInstance> {
  const { engine } = cfg;
  const metrics = new ServeMetrics();
  const app = Fastify({
    logger: false,
    // Slashes and case are part of the contract: /api/products/ is not /api/products.
    routerOptions: { ignoreTrailingSlash: false, caseSensitive: true, maxParamLength: 200 },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false } },
    genReqId: () => randomUUID(),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: cfg.title ?? 'strata serve', version: '1', description: 'Read-only API over the published gold batch. Every response names its batch in X-Strata-Batch.' },
    },
  });
  await app.register(rateLimit, { global: false });
  if (cfg.corsOrigins.length > 0) {
    await app.register(cors, { origin: cfg.corsOrigins, methods: ['GET', 'HEAD'], exposedHeaders: ['ETag', 'X-Strata-Batch'] });
  }

  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    metrics.observe(req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  app.setNotFoundHandler((_req, reply) => {
    void reply.code(404).send({ error: 'not_found', message: 'no such endpoint: see /openapi.json for the ones this API serves' });
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation) return reply.code(400).send({ error: 'bad_request', message: validationMessage(err) });
    const code = (err as { code?: string }).code ?? (LOST.test(err.message) ? '08006' : undefined);
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send({ error: err.statusCode === 429 ? 'rate_limited' : 'bad_request', message: err.message });
    if (code === '57014') return reply.code(503).send({ error: 'timeout', message: 'the query took longer than the statement timeout; try again' });
    // Everything else is ours: the detail goes to the server's log, never to the client.
    cfg.onError?.(`request ${req.id} ${req.method} ${req.routeOptions.url ?? req.url}: ${err.message}${code ? ` (${code})` : ''}`);
    return reply.code(isUnavailable(code) ? 503 : 500).send({ error: isUnavailable(code) ? 'unavailable' : 'internal', message: `the server could not answer (request ${req.id}); the cause is in its log` });
  });

  const byName = new Map(cfg.endpoints.map((e) => [e.name, e]));
  const readOpts = (e: Endpoint) => ({ views: e.views, statementTimeoutMs: cfg.statementTimeoutMs, ...(cfg.setRole ? { role: cfg.setRole } : {}) });
  const anyViews = [...new Set(cfg.endpoints.flatMap((e) => e.views))];

  // The columns of each endpoint, asked of the database once: null parameters, no rows.
  const described = new Map<string, { name: string; dataTypeID: number }[]>();
  for (const e of cfg.endpoints) {
    try {
      const r = await withSnapshot(engine, readOpts(e), (tx) => tx.query(`select * from (${e.sql}) described limit 0`, e.bind.map(() => null)));
      if (r?.value.fields) described.set(e.name, r.value.fields);
    } catch (err) {
      cfg.onError?.(`${e.file}: cannot describe its columns: ${(err as Error).message}`);
    }
  }

  // The single-statement read needs the session to be the read role already (a server login,
  // not SET ROLE) with its statement timeout set at connect (see api/serve.ts).
  const oneStatement = cfg.sessionIsReadRole === true;
  const batched = new Map(cfg.endpoints.map((e) => [e.name, withBatchColumn(e.sql, e.views[0]!)]));
  // Prepared per connection: parsed once, and planned once when a generic plan serves as well.
  // A publish whose relations change the statement's result type makes PostgreSQL refuse
  // the prepared statement on that connection: it is prepared afresh under a new name.
  let generation = 0;
  const prepared = async (e: Endpoint, params: unknown[]): Promise<QueryResult<Record<string, unknown>>> => {
    const sql = batched.get(e.name)!;
    try {
      return await engine.query<Record<string, unknown>>(sql, params, `strata_serve_${e.name}_${generation}`);
    } catch (err) {
      if (!/cached plan must not change result type/.test((err as Error).message)) throw err;
      generation++;
      return engine.query<Record<string, unknown>>(sql, params, `strata_serve_${e.name}_${generation}`);
    }
  };
  const readInOneStatement = async (e: Endpoint, params: unknown[]): Promise<{ batch: PublishedBatch; value: { res: QueryResult; found: boolean } } | null> => {
    const res = await prepared(e, params);
    const batch = batchOfComment(res.rows[0]?.[BATCH_COLUMN] as string | undefined);
    if (!batch) return null;
    const fields = res.fields?.filter((f) => f.name !== BATCH_COLUMN);
    return { batch, value: { res: { rows: res.rows, rowCount: res.rowCount, ...(fields ? { fields } : {}) }, found: true } };
  };

  const published = new Map(cfg.endpoints.map((e) => [e.views[0]!, new PublishedBatchReader(() => batchOf(engine, e.views[0]!, 'strata_serve_batch_of'))]));
  const cache = cfg.cacheBytes > 0 ? new AnswerCache(cfg.cacheBytes) : undefined;
  const etagFor = (batch: string, req: FastifyRequest): string => `"${batch}.${createHash('sha1').update(req.url).digest('base64url').slice(0, 16)}"`;
  const cacheControl = `public, max-age=${cfg.maxAgeSeconds}, must-revalidate`;
  const headers = (reply: FastifyReply, batch: PublishedBatch, etag: string): void => {
    void reply.header('X-Strata-Batch', batch.batchId).header('ETag', etag).header('Cache-Control', cacheControl);
    metrics.servedFrom(batch.batchId);
  };
  const unpublished = (reply: FastifyReply) =>
    reply.code(503).header('Retry-After', '30').send({ error: 'not_published', message: 'no batch is published yet: run `strata build`' });

  for (const e of cfg.endpoints) {
    const fields = described.get(e.name);
    const row = rowSchema(e, fields, cfg.columnDocs);
    const data = e.result === 'one' ? { type: 'object', properties: { data: row } } : { type: 'object', properties: { data: { type: 'array', items: row }, ...(e.paginate ? { next_cursor: { type: ['string', 'null'] } } : {}) } };
    const route = e.path.replace(/\{([^}]+)\}/g, ':$1');
    app.get(route, {
      ...(cfg.rateLimitPerMinute > 0 ? { config: { rateLimit: { max: cfg.rateLimitPerMinute, timeWindow: 60_000 } } } : {}),
      schema: {
        operationId: e.name,
        summary: e.description.split(/(?<=\.)\s/)[0],
        description: `${e.description}\n\nDeclared in ${e.file}; reads ${e.refs.join(', ')}.`,
        tags: ['api'],
        ...requestSchemas(e),
        response: { 200: data, 304: { description: 'Not modified: the batch and request match If-None-Match', type: 'null' }, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA, 429: ERROR_SCHEMA, 503: ERROR_SCHEMA },
      },
    }, async (req, reply) => {
      const args = { ...(req.params as Record<string, unknown>), ...(req.query as Record<string, unknown>) };
      // PostgreSQL text cannot hold a NUL character: refused here rather than failing in the database.
      const nul = Object.entries(args).find(([, v]) => typeof v === 'string' && v.includes('\u0000'));
      if (nul) return reply.code(400).send({ error: 'bad_request', message: `parameter ${nul[0]} contains a NUL character` });
      let after = 0n;
      if (e.paginate && typeof args[CURSOR] === 'string') {
        const p = positionOf(args[CURSOR] as string);
        if (p === null) return reply.code(400).send({ error: 'bad_request', message: 'query parameter cursor is not a cursor this API issued (pass next_cursor back unchanged)' });
        after = p;
      }
      // An answer held, or the client's own copy, is good while its batch is the published one:
      // asked of the database after this request arrived (one lookup shared by the requests
      // that arrived meanwhile), so a batch that is no longer published is never answered.
      const ifNoneMatch = req.headers['if-none-match'];
      const held = cache?.get(req.url);
      if (held || ifNoneMatch) {
        const current = await readOnce(() => published.get(e.views[0]!)!.current());
        if (current) {
          const fresh = held?.batchId === current.batchId ? held : undefined;
          const etag = fresh?.etag ?? etagFor(current.batchId, req);
          if (ifNoneMatch?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
            headers(reply, current, etag);
            return reply.code(304).send();
          }
          if (fresh) {
            metrics.cacheHit();
            headers(reply, current, etag);
            return reply.code(fresh.status).type(JSON_TYPE).send(fresh.body);
          }
        }
      }
      const limit = typeof args.limit === 'number' ? args.limit : undefined;
      const bind = (ep: Endpoint, extraRow: boolean) =>
        ep.bind.map((n) => (n === CURSOR ? after.toString() : n === 'limit' && extraRow && limit !== undefined ? limit + 1 : (args[n] ?? null)));
      const params = bind(e, e.paginate !== undefined);
      // One round trip when the endpoint finds rows (they name their batch); an empty answer
      // is asked again in a locked snapshot, where the batch and the 404 check agree.
      let read = oneStatement ? await readOnce(() => readInOneStatement(e, params)) : null;
      read ??= await readOnce(() => withSnapshot(engine, readOpts(e), async (tx: Queryable) => {
        const res = await tx.query(e.sql, params);
        let found = res.rows.length > 0;
        const guard = e.foundBy ? byName.get(e.foundBy) : undefined;
        if (!found && guard) found = (await tx.query(guard.sql, bind(guard, false))).rows.length > 0;
        return { res, found };
      }));
      if (!read) return unpublished(reply);
      const { batch, value } = read;
      const etag = etagFor(batch.batchId, req);
      headers(reply, batch, etag);
      const answer = ((): { status: 200 | 404; payload: unknown } => {
        const convert = rowConverter(value.res.fields ?? fields ?? []);
        const notFound = (name: string) => ({ status: 404 as const, payload: { error: 'not_found', message: `${name}: nothing matches these parameters in batch ${batch.batchId}` } });
        if (e.result === 'one') {
          const first = value.res.rows[0];
          return first ? { status: 200, payload: { data: convert(first) } } : notFound(e.name);
        }
        if (!value.found && e.foundBy) return notFound(e.foundBy);
        const rows = value.res.rows.map(convert);
        if (!e.paginate || limit === undefined) return { status: 200, payload: { data: rows } };
        const page = rows.slice(0, limit);
        return { status: 200, payload: { data: page, next_cursor: rows.length > limit ? cursorOf(page.at(-1)![e.paginate]) : null } };
      })();
      // Serialized once with the route's response schema, then kept for the next identical request.
      const body = Buffer.from(reply.code(answer.status).serialize(answer.payload) as string);
      cache?.set(req.url, { batchId: batch.batchId, etag, status: answer.status, body });
      return reply.type(JSON_TYPE).send(body);
    });
  }

  app.get('/healthz', { schema: { hide: true } }, async (_req, reply) => {
    let batch: PublishedBatch | null = null;
    try {
      for (const v of anyViews) {
        batch = await batchOf(engine, v);
        if (batch) break;
      }
    } catch (err) {
      cfg.onError?.(`healthz: ${(err as Error).message}`);
      return reply.code(503).send({ status: 'down', database: 'unreachable' });
    }
    if (!batch) return reply.code(503).send({ status: 'unpublished', database: 'ok', batch: null });
    const age = Math.max(0, (Date.now() - batch.publishedAt.getTime()) / 1000);
    const fresh = age <= cfg.freshnessHours * 3600;
    return { status: fresh ? 'ok' : 'stale', database: 'ok', batch: batch.batchId, published_at: batch.publishedAt.toISOString(), age_seconds: Math.round(age), fresh };
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => reply.type('text/plain; version=0.0.4').send(metrics.text()));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  for (const asset of cfg.page ?? []) {
    app.get(asset.path, { schema: { hide: true } }, async (_req, reply) =>
      reply.type(asset.type).header('Cache-Control', 'no-cache').header('Content-Security-Policy', "default-src 'self'; img-src 'self' data:").send(asset.body),
    );
  }
  return app;
}

/**
 * A read is safe to repeat: when the connection under it died (a database restart, a
 * terminated backend), it is tried once more on a fresh one before the client hears of it.
 */
async function readOnce<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (!(code?.startsWith('08') || code === '57P01' || LOST.test((err as Error).message))) throw err;
    return fn();
  }
}

/** node-postgres' words for a connection that died under a query (no SQLSTATE). */
const LOST = /Connection terminated|ECONNRESET|ECONNREFUSED|connection error|Client has been closed/i;

/** Connection lost, server shutting down, too many clients: the database, not the request. */
function isUnavailable(code: string | undefined): boolean {
  return code !== undefined && (code.startsWith('08') || code === '57P01' || code === '57P03' || code === '53300' || code === 'ECONNREFUSED');
}
