/**
 * TLS and channel binding against real servers, as Neon demands them: two throwaway
 * PostgreSQL 15 clusters, one with TLS (self-signed certificate, SCRAM passwords) and one
 * without. strata must connect encrypted and channel-bound when asked, and refuse — with
 * a clear error, never a silent downgrade — when the server cannot give what the URL asks.
 * Needs initdb (PostgreSQL 15 binaries) and openssl; without them these tests fail.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Engine } from '../src/engine/engine.ts';
import { createPostgresEngine } from '../src/engine/postgres.ts';
import { scramVerifier } from '../src/security/scram.ts';
import { startCluster, type Cluster } from './support/cluster.ts';
import { unprivilegedUser } from './support/processes.ts';

const PASSWORD = 'tls-Pa55;word';
const url = (port: number, query: string, user = 'tls_user', password = PASSWORD): string =>
  `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres?${query}`;

async function withEngine<T>(u: string, fn: (e: Engine) => Promise<T>): Promise<T> {
  const engine = createPostgresEngine(u, { maxConnections: 1 });
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

/** The connection fails; returns the message (which must never hold the password). */
async function refused(u: string, password = PASSWORD): Promise<string> {
  let message = '';
  await assert.rejects(
    withEngine(u, (e) => e.query('select 1')),
    (err: Error) => {
      message = err.message;
      return true;
    },
  );
  assert.ok(!message.includes(password), `the error leaks the password: ${message}`);
  return message;
}

describe('TLS and channel binding on real servers', () => {
  const user = unprivilegedUser();
  let tls: Cluster;
  let plain: Cluster;

  before(async () => {
    tls = await startCluster(user, {
      ssl: true,
      hba: [
        'hostssl all md5_user   127.0.0.1/32 md5',
        'hostssl all pw_user    127.0.0.1/32 password',
        'hostssl all trust_user 127.0.0.1/32 trust',
        'hostssl all all        127.0.0.1/32 scram-sha-256',
      ],
      settings: { log_connections: 'on' },
    });
    // The password is set as a verifier computed by strata (as `grants` does): it must work for real SCRAM logins.
    tls.psql(`create role tls_user login password '${scramVerifier(PASSWORD)}'`);
    tls.psql(`set password_encryption = 'md5'; create role md5_user login password 'md5-pw'`);
    tls.psql('create role trust_user login');
    tls.psql(`create role pw_user login password 'cleartext-pw'`);
    plain = await startCluster(user, { ssl: false, hba: ['host all all 127.0.0.1/32 scram-sha-256'] });
    plain.psql(`create role tls_user login password '${scramVerifier(PASSWORD)}'`);
  });

  after(() => {
    tls?.stop();
    plain?.stop();
  });

  test('sslmode=require&channel_binding=require connects encrypted, with SCRAM-SHA-256-PLUS', async () => {
    await withEngine(url(tls.port, 'sslmode=require&channel_binding=require'), async (e) => {
      const { rows } = await e.query<{ one: number; ssl: boolean; version: string; user: string }>(
        'select 1 as one, s.ssl, s.version, current_user as user from pg_stat_ssl s where s.pid = pg_backend_pid()',
      );
      assert.equal(rows[0]!.one, 1);
      assert.equal(rows[0]!.ssl, true);
      assert.match(rows[0]!.version, /^TLSv1\.[23]$/);
      assert.equal(rows[0]!.user, 'tls_user');
      assert.equal(e.label, `127.0.0.1:${tls.port}/postgres (tls_user)`);
    });
  });

  test('verify-full checks the certificate: trusted with sslrootcert, refused without', async () => {
    await withEngine(url(tls.port, `sslmode=verify-full&sslrootcert=${encodeURIComponent(tls.certFile)}&channel_binding=require`), async (e) => {
      assert.equal((await e.query<{ ssl: boolean }>('select ssl from pg_stat_ssl where pid = pg_backend_pid()')).rows[0]!.ssl, true);
    });
    assert.match(await refused(url(tls.port, 'sslmode=verify-full')), /self[- ]signed certificate/i);
  });

  test('channel_binding=require refuses a server that authenticates with md5 or trust', async () => {
    const md5 = await refused(url(tls.port, 'sslmode=require&channel_binding=require', 'md5_user', 'md5-pw'), 'md5-pw');
    // (Wording before/after the fix in the report: "…did not authenticate with…" / "…asked for an md5 password instead of…".)
    const cb = /channel_binding=require, but the server .*SCRAM-SHA-256-PLUS/;
    assert.match(md5, cb);
    const trust = await refused(url(tls.port, 'sslmode=require&channel_binding=require', 'trust_user', 'unused-pw'), 'unused-pw');
    assert.match(trust, cb);
    // Control: the same md5 login works when channel binding is not demanded.
    await withEngine(url(tls.port, 'sslmode=require', 'md5_user', 'md5-pw'), async (e) => {
      assert.equal((await e.query<{ u: string }>('select current_user as u')).rows[0]!.u, 'md5_user');
    });
  });

  test(
    'channel_binding=require sends no credentials to a server that asks for a cleartext or md5 password',
    async () => {
      for (const [who, pw, method] of [['pw_user', 'cleartext-pw', 'password'], ['md5_user', 'md5-pw', 'md5']] as const) {
        const seen = tls.log().length;
        assert.match(await refused(url(tls.port, 'sslmode=require&channel_binding=require', who, pw), pw), /channel_binding=require/);
        // log_connections records a successful password check: then the password (or its md5) was sent.
        assert.doesNotMatch(tls.log().slice(seen), new RegExp(`connection authenticated: identity="${who}" method=${method}`), `${who}'s ${method} credentials were sent`);
      }
    },
  );

  test('a wrong password is refused without echoing it', async () => {
    assert.match(await refused(url(tls.port, 'sslmode=require&channel_binding=require', 'tls_user', 'not-it'), 'not-it'), /password authentication failed for user "tls_user"/);
  });

  test('a server without TLS is refused when the URL asks for TLS: no silent downgrade', async () => {
    const message = /The server does not support SSL connections/;
    assert.match(await refused(url(plain.port, 'sslmode=require&channel_binding=require')), message);
    assert.match(await refused(url(plain.port, 'sslmode=require')), message);
    assert.throws(() => createPostgresEngine(url(plain.port, 'sslmode=disable&channel_binding=require')), /channel_binding=require needs TLS, but sslmode=disable/);
    // Control: the server is up and the password right; only the TLS demand failed.
    await withEngine(url(plain.port, 'sslmode=disable'), async (e) => {
      assert.equal((await e.query<{ ssl: boolean }>('select ssl from pg_stat_ssl where pid = pg_backend_pid()')).rows[0]!.ssl, false);
    });
  });
});
