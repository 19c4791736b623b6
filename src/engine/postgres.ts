import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkServerIdentity, type ConnectionOptions } from 'node:tls';
import './node-navigator.ts'; // before pg, which looks for it as it loads
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { CopyOutStream } from './copy-out.ts';
import type { Engine, MigrationClient, QueryResult, Queryable, Row } from './engine.ts';
import { ExitCode, StrataError } from '../core/errors.ts';
import { describeIoError } from '../core/io-errors.ts';
import { describeConnection, parseConnection, passwordOf, type ConnectionSettings } from './connection.ts';

function readTlsFile(s: ConnectionSettings, key: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new StrataError(`${s.source}: cannot read the ${key} file ${path}: ${describeIoError(err)}`, ExitCode.usage);
  }
}

/**
 * What TLS the settings demand, as node's tls options. Modes below `require` still
 * encrypt: strata never falls back to plaintext (libpq's `prefer` would).
 */
function tlsOptions(s: ConnectionSettings): false | ConnectionOptions {
  // A Unix socket never carries TLS (libpq ignores sslmode there too).
  if (s.sslmode === 'disable' || (s.hostaddr ?? s.host).startsWith('/')) return false;
  const files = {
    ...(s.sslrootcert ? { ca: readTlsFile(s, 'sslrootcert', s.sslrootcert) } : {}),
    ...(s.sslcert ? { cert: readTlsFile(s, 'sslcert', s.sslcert) } : {}),
    ...(s.sslkey ? { key: readTlsFile(s, 'sslkey', s.sslkey) } : {}),
  };
  // libpq: `require` with a root certificate behaves as `verify-ca`.
  const mode = s.sslmode === 'require' && s.sslrootcert ? 'verify-ca' : s.sslmode;
  if (mode !== 'verify-ca' && mode !== 'verify-full') return { rejectUnauthorized: false, ...files };
  return {
    rejectUnauthorized: true,
    ...files,
    // With hostaddr the socket goes to an address, but the certificate must name the host.
    ...(s.hostaddr && isIP(s.host) === 0 && !s.host.startsWith('/') ? { servername: s.host } : {}),
    checkServerIdentity: mode === 'verify-ca' ? () => undefined : (_: string, cert) => checkServerIdentity(s.host, cert),
  };
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

/** Every field given explicitly: node-postgres must not fill anything in from PG* or a string of its own. */
export function poolConfig(settings: ConnectionSettings, max: number): pg.PoolConfig {
  const tls = tlsOptions(settings);
  return {
    host: settings.hostaddr ?? settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    password: passwordOf(settings) ?? '',
    ssl: tls,
    ...(tls && settings.sslNegotiation === 'direct' ? { sslnegotiation: 'direct' } : {}),
    enableChannelBinding: settings.channelBinding !== 'disable' && tls !== false,
    Client: channelBindingClient(settings.channelBinding === 'require'),
    max,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: (settings.connectTimeoutSeconds || 15) * 1000,
    application_name: settings.applicationName ?? 'strata',
    ...(settings.options ? { options: settings.options } : {}),
  } as pg.PoolConfig;
}

function queryable(client: pg.PoolClient | pg.Pool): Queryable {
  return {
    async query<R = Row>(sql: string, params?: readonly unknown[], prepared?: string): Promise<QueryResult<R>> {
      const values = params as unknown[] | undefined;
      const res = prepared ? await client.query({ name: prepared, text: sql, ...(values ? { values } : {}) }) : await client.query(sql, values);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? 0, fields: res.fields };
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
    const stream = c.query(new CopyOutStream(copySql));
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

/**
 * An engine on a PostgreSQL server. A string is parsed here (completed from the PG*
 * variables of this process); the CLI passes settings it already resolved.
 */
export function createPostgresEngine(connection: string | ConnectionSettings, opts: { maxConnections?: number } = {}): Engine {
  const settings = typeof connection === 'string' ? parseConnection(connection, { source: 'connection URL', env: process.env }) : connection;
  const max = opts.maxConnections ?? 8;
  const pool = new pg.Pool(poolConfig(settings, max));
  // A client losing its server (restart, pg_terminate_backend) must not crash the process:
  // the query running on it fails with the reason, which is what gets reported.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const base = queryable(pool);
  return {
    ...base,
    kind: 'postgres',
    maxConcurrency: max,
    label: describeConnection(settings),
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
