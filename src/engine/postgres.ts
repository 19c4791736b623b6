import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { ConnectionOptions } from 'node:tls';
import type { Engine, MigrationClient, QueryResult, Queryable, Row } from './engine.ts';
import { connectionSettings, maskSecrets, type ConnectionSettings } from './url.ts';

/** Parameters libpq understands but node-postgres would misread; strata applies them itself. */
const TLS_PARAMS = ['sslmode', 'channel_binding', 'sslrootcert', 'sslcert', 'sslkey', 'uselibpqcompat'];

function tlsOptions(settings: ConnectionSettings, rootCert: string | null): false | ConnectionOptions {
  switch (settings.sslmode) {
    case 'disable':
      return false;
    case 'allow':
    case 'prefer':
    case 'require':
      // libpq semantics: encrypted, certificate not checked (use verify-full for that).
      return { rejectUnauthorized: false };
    case 'verify-ca':
    case 'verify-full':
      return {
        rejectUnauthorized: true,
        ...(rootCert ? { ca: readFileSync(rootCert, 'utf8') } : {}),
        ...(settings.sslmode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
      };
  }
}

/**
 * node-postgres quietly falls back to plain SCRAM when the server offers no channel
 * binding, and answers cleartext or md5 password requests before any check could run.
 * `channel_binding=require` must refuse all of those before sending a credential, as libpq
 * does: otherwise an impostor server would be handed the password.
 */
function channelBindingClient(required: boolean): typeof pg.Client {
  if (!required) return pg.Client;
  return class ChannelBoundClient extends pg.Client {
    constructor(config: pg.ClientConfig) {
      super(config);
      // pg.Client binds these handlers when it connects, so instance properties replace them.
      const self = this as unknown as {
        connection: NodeJS.EventEmitter & { end(): void };
        _handleAuthCleartextPassword(msg: unknown): void;
        _handleAuthMD5Password(msg: unknown): void;
        _handleAuthSASL(msg: { mechanisms: string[] }): void;
      };
      const refuse = (asked: string): void => {
        self.connection.emit(
          'error',
          new Error(
            `channel_binding=require, but the server asked for ${asked} instead of SCRAM-SHA-256-PLUS ` +
              '(it needs TLS and a SCRAM password); refusing the connection without sending credentials',
          ),
        );
        self.connection.end();
      };
      let bound = false;
      self._handleAuthCleartextPassword = () => refuse('a cleartext password');
      self._handleAuthMD5Password = () => refuse('an md5 password');
      const sasl = self._handleAuthSASL.bind(this);
      self._handleAuthSASL = (msg) => {
        if (!msg.mechanisms.includes('SCRAM-SHA-256-PLUS')) return refuse(`SASL ${msg.mechanisms.join(', ')}`);
        bound = true;
        sasl(msg);
      };
      self.connection.on('authenticationOk', () => {
        if (!bound) refuse('no authentication');
      });
    }
  };
}

export function poolConfig(url: string, max: number): pg.PoolConfig {
  const settings = connectionSettings(url);
  const parsed = new URL(url);
  const rootCert = parsed.searchParams.get('sslrootcert');
  for (const p of TLS_PARAMS) parsed.searchParams.delete(p);
  const channelBinding = settings.channelBinding !== 'disable' && settings.sslmode !== 'disable';
  if (settings.channelBinding === 'require' && settings.sslmode === 'disable') {
    throw new Error('channel_binding=require needs TLS, but sslmode=disable');
  }
  return {
    connectionString: parsed.toString(),
    ssl: tlsOptions(settings, rootCert),
    enableChannelBinding: channelBinding,
    Client: channelBindingClient(settings.channelBinding === 'require'),
    max,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: 15_000,
    application_name: 'strata',
  } as pg.PoolConfig;
}

function queryable(client: pg.PoolClient | pg.Pool): Queryable {
  return {
    async query<R = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const res = await client.query(sql, params as unknown[] | undefined);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql);
    },
    copyFrom: (copySql, data) => withClient(client, (c) => copyIn(c, copySql, data)),
    copyTo: (copySql) => copyOut(client, copySql),
  };
}

async function withClient<T>(client: pg.PoolClient | pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  if (!(client instanceof pg.Pool)) return fn(client);
  const c = await client.connect();
  try {
    return await fn(c);
  } finally {
    c.release();
  }
}

async function copyIn(client: pg.PoolClient, copySql: string, data: AsyncIterable<Uint8Array>): Promise<number> {
  const sink = client.query(copyStreams.from(copySql));
  await pipeline(Readable.from(data, { objectMode: false }), sink);
  return Number(sink.rowCount ?? 0);
}

async function* copyOut(client: pg.PoolClient | pg.Pool, copySql: string): AsyncIterable<Uint8Array> {
  const c = client instanceof pg.Pool ? await client.connect() : client;
  let finished = false;
  try {
    const stream = c.query(copyStreams.to(copySql));
    for await (const chunk of stream) yield chunk as Uint8Array;
    finished = true;
  } finally {
    // A connection left mid-COPY (an error, or a consumer that stopped reading) would make
    // its next statement wait forever: close it, so that statement fails at once instead
    // (a transaction on it then rolls back and discards it), and never pool it again.
    if (!finished) (c as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    if (c !== client) (c as pg.PoolClient).release(finished ? undefined : true);
  }
}

export function createPostgresEngine(url: string, opts: { maxConnections?: number } = {}): Engine {
  const max = opts.maxConnections ?? 8;
  const pool = new pg.Pool(poolConfig(url, max));
  // A client losing its server (restart, pg_terminate_backend) must not crash the process:
  // the query running on it fails with the reason, which is what gets reported.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const base = queryable(pool);
  return {
    ...base,
    kind: 'postgres',
    maxConcurrency: max,
    label: maskSecrets(url),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('begin');
        const result = await fn(queryable(client));
        await client.query('commit');
        return result;
      } catch (err) {
        await client.query('rollback').catch(() => {
          broken = true;
        });
        throw err;
      } finally {
        client.release(broken || undefined);
      }
    },
    async withSession<T>(fn: (session: MigrationClient) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        return await fn(client as unknown as MigrationClient);
      } finally {
        client.release();
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
