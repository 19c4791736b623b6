/**
 * The TLS matrix: every way of naming a host (in the URL, `?host=`, `?hostaddr=`, PGHOST)
 * × every way of asking for TLS (`sslmode=`, `ssl=`, PGSSLMODE, nothing) × a server with
 * and without TLS, local and remote. "Remote" is this machine's own non-loopback address:
 * strata cannot tell it from another machine, which is the point.
 *
 * What must hold: a remote host is never reached in plaintext unless `sslmode=disable`
 * was said explicitly (and then strata warns); whatever asks for TLS gets TLS or a clear
 * refusal, never a silent downgrade; a refused configuration never opens a socket.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { parseConnection, type ConnectionSettings } from '../src/engine/connection.ts';
import type { Engine } from '../src/engine/engine.ts';
import { createPostgresEngine } from '../src/engine/postgres.ts';
import { startCluster, type Cluster } from './support/cluster.ts';
import { unprivilegedUser } from './support/processes.ts';
import { JAFFLE, copyProject, runCli } from './support.ts';

const PASSWORD = `tr'ans "port" #/?@`;

/** This machine's first non-loopback IPv4 address: a host strata must treat as remote. */
function remoteAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  throw new Error('this machine has no non-loopback IPv4 address to play the remote host (add one, e.g. `ip addr add 192.0.2.2/24 dev <if>`)');
}

type Outcome = 'tls' | 'plain' | 'plain, warned' | 'refused by strata';

/** What each way of asking for TLS must give on a local and on a remote host. */
const TLS_SETTINGS: { name: string; params: Record<string, string>; env: Record<string, string>; local: Outcome; remote: Outcome }[] = [
  { name: 'nothing said', params: {}, env: {}, local: 'plain', remote: 'tls' },
  { name: 'sslmode=disable', params: { sslmode: 'disable' }, env: {}, local: 'plain', remote: 'plain, warned' },
  { name: 'sslmode=prefer', params: { sslmode: 'prefer' }, env: {}, local: 'tls', remote: 'tls' },
  { name: 'sslmode=require', params: { sslmode: 'require' }, env: {}, local: 'tls', remote: 'tls' },
  { name: 'sslmode=verify-full', params: { sslmode: 'verify-full' }, env: {}, local: 'tls', remote: 'tls' },
  { name: 'ssl=0', params: { ssl: '0' }, env: {}, local: 'plain', remote: 'refused by strata' },
  { name: 'ssl=false', params: { ssl: 'false' }, env: {}, local: 'plain', remote: 'refused by strata' },
  { name: 'ssl=1', params: { ssl: '1' }, env: {}, local: 'tls', remote: 'tls' },
  { name: 'PGSSLMODE=disable', params: {}, env: { PGSSLMODE: 'disable' }, local: 'plain', remote: 'plain, warned' },
  { name: 'PGSSLMODE=require', params: {}, env: { PGSSLMODE: 'require' }, local: 'tls', remote: 'tls' },
  { name: 'PGSSLMODE=disable, ?sslmode=require', params: { sslmode: 'require' }, env: { PGSSLMODE: 'disable' }, local: 'tls', remote: 'tls' },
];

describe('the TLS matrix on real servers, local and remote', () => {
  const user = unprivilegedUser();
  const remote = remoteAddress();
  let withTls: Cluster;
  let plain: Cluster;
  const hba = [`host all all 127.0.0.1/32 scram-sha-256`, `host all all ${remote}/32 scram-sha-256`];

  before(async () => {
    const addresses = ['127.0.0.1', remote];
    withTls = await startCluster(user, { ssl: true, hba, addresses, settings: { log_connections: 'on' } });
    plain = await startCluster(user, { ssl: false, hba, addresses, settings: { log_connections: 'on' } });
    for (const c of [withTls, plain]) {
      c.psql(`set password_encryption = 'scram-sha-256'; create role matrix login superuser password '${PASSWORD.replaceAll("'", "''")}'`);
    }
  });
  after(() => {
    withTls?.stop();
    plain?.stop();
  });

  /** The ways of naming the host, each with the address it really dials. */
  const HOST_FORMS = (port: number, certFile: string) => {
    const pw = encodeURIComponent(PASSWORD);
    const query = (params: Record<string, string>): string => {
      const all = params.sslmode === 'verify-full' ? { ...params, sslrootcert: certFile } : params;
      return new URLSearchParams(all).toString();
    };
    const kv = (params: Record<string, string>): string =>
      Object.entries(params.sslmode === 'verify-full' ? { ...params, sslrootcert: certFile } : params).map(([k, v]) => `${k}=${v}`).join(' ');
    return [
      { name: 'local host in the URL', dials: 'local', text: (p: Record<string, string>) => `postgres://matrix:${pw}@127.0.0.1:${port}/postgres?${query(p)}`, env: {} },
      { name: 'remote host in the URL', dials: 'remote', text: (p: Record<string, string>) => `postgres://matrix:${pw}@${remote}:${port}/postgres?${query(p)}`, env: {} },
      { name: 'local URL, ?host=remote', dials: 'remote', text: (p: Record<string, string>) => `postgres://matrix:${pw}@127.0.0.1:${port}/postgres?${query({ host: remote, ...p })}`, env: {} },
      { name: 'localhost URL, ?hostaddr=remote', dials: 'remote', text: (p: Record<string, string>) => `postgres://matrix:${pw}@localhost:${port}/postgres?${query({ hostaddr: remote, ...p })}`, env: {} },
      { name: 'remote URL, ?hostaddr=127.0.0.1', dials: 'local', text: (p: Record<string, string>) => `postgres://matrix:${pw}@${remote}:${port}/postgres?${query({ hostaddr: '127.0.0.1', ...p })}`, env: {} },
      { name: 'key=value without host, PGHOST=remote', dials: 'remote', text: (p: Record<string, string>) => `port=${port} user=matrix dbname=postgres ${kv(p)}`, env: { PGHOST: remote, PGPASSWORD: PASSWORD } },
    ] as const;
  };

  const connections = (c: Cluster): number => (c.log().match(/connection received/g) ?? []).length;

  async function attempt(settings: ConnectionSettings): Promise<{ ssl: boolean } | { error: string }> {
    const engine: Engine = createPostgresEngine(settings, { maxConnections: 1 });
    try {
      const { rows } = await engine.query<{ ssl: boolean }>('select ssl from pg_stat_ssl where pid = pg_backend_pid()');
      return { ssl: rows[0]!.ssl };
    } catch (err) {
      return { error: (err as Error).message };
    } finally {
      await engine.close();
    }
  }

  for (const server of ['with TLS', 'without TLS'] as const) {
    test(`server ${server}: ${6 * TLS_SETTINGS.length} combinations of host and TLS settings`, async () => {
      const cluster = server === 'with TLS' ? withTls : plain;
      const rows: string[] = [];
      for (const form of HOST_FORMS(cluster.port, withTls.certFile)) {
        for (const setting of TLS_SETTINGS) {
          const want = form.dials === 'local' ? setting.local : setting.remote;
          const expected: string = want === 'tls' && server === 'without TLS' ? 'refused by the server (no TLS there)' : want;
          const seen = connections(cluster);
          let got: string;
          let settings: ConnectionSettings | undefined;
          try {
            settings = parseConnection(form.text(setting.params), { source: 'DATABASE_URL', env: { ...form.env, ...setting.env } });
          } catch (err) {
            const message = (err as Error).message;
            assert.match(message, /refusing to connect to .* without TLS: .* say sslmode=disable/, message);
            assert.ok(!message.includes(PASSWORD) && !message.includes(encodeURIComponent(PASSWORD)), message);
            assert.equal(connections(cluster), seen, `${form.name} / ${setting.name}: a refused configuration must not open a connection`);
            got = 'refused by strata';
          }
          if (settings) {
            const r = await attempt(settings);
            if ('error' in r) {
              assert.match(r.error, /The server does not support SSL connections/, `${form.name} / ${setting.name}: ${r.error}`);
              got = 'refused by the server (no TLS there)';
            } else {
              got = r.ssl ? 'tls' : settings.warnings.some((w) => /WITHOUT TLS .* plaintext/.test(w)) ? 'plain, warned' : 'plain';
            }
            if (got! !== 'plain, warned') assert.deepEqual(settings.warnings, [], `${form.name} / ${setting.name}`);
          }
          rows.push(`${form.name.padEnd(40)} ${setting.name.padEnd(36)} ${got!}`);
          assert.equal(got!, expected, `${form.name} / ${setting.name}\n${rows.join('\n')}`);
        }
      }
    });
  }

  test('channel_binding=require on a remote host: SCRAM-SHA-256-PLUS over TLS, or refused before any credential is sent', async () => {
    const pw = encodeURIComponent(PASSWORD);
    const ok = await attempt(parseConnection(`postgres://matrix:${pw}@${remote}:${withTls.port}/postgres?channel_binding=require`, { source: 'DATABASE_URL' }));
    assert.deepEqual(ok, { ssl: true });
    assert.throws(
      () => parseConnection(`postgres://matrix:${pw}@${remote}:${withTls.port}/postgres?sslmode=disable&channel_binding=require`, { source: 'DATABASE_URL' }),
      /channel_binding=require needs TLS, but sslmode=disable/,
    );
    const before = plain.log().length;
    const refused = await attempt(parseConnection(`postgres://matrix:${pw}@${remote}:${plain.port}/postgres?channel_binding=require`, { source: 'DATABASE_URL' }));
    assert.ok('error' in refused && /does not support SSL/.test(refused.error), JSON.stringify(refused));
    assert.doesNotMatch(plain.log().slice(before), /connection authenticated/);
  });

  test('the CLI: a remote plaintext URL without sslmode=disable exits 2 and reaches nothing; with it, the run warns', async () => {
    const project = copyProject(JAFFLE);
    try {
      const pw = encodeURIComponent(PASSWORD);
      const seen = connections(plain);
      const refused = await runCli(['migrate'], { projectDir: project, env: { DATABASE_URL: `postgres://matrix:${pw}@${remote}:${plain.port}/postgres?ssl=0` } });
      assert.equal(refused.code, 2, refused.stdout + refused.stderr);
      assert.match(refused.stderr, new RegExp(`DATABASE_URL: refusing to connect to ${remote.replaceAll('.', '\\.')}:${plain.port} without TLS`));
      assert.equal(connections(plain), seen);

      const warned = await runCli(['migrate'], { projectDir: project, env: { DATABASE_URL: `postgres://matrix:${pw}@${remote}:${plain.port}/postgres?sslmode=disable` } });
      assert.equal(warned.code, 0, warned.stdout + warned.stderr);
      assert.match(warned.stdout, new RegExp(`warning: connecting to ${remote.replaceAll('.', '\\.')}:${plain.port} WITHOUT TLS \\(sslmode=disable from DATABASE_URL\\)`));
      // health and metrics run for alerting, unattended: the plaintext is a finding there too.
      const health = await runCli(['health', '--json', '--timeout', '20'], { projectDir: project, env: { DATABASE_URL: `postgres://matrix:${pw}@${remote}:${plain.port}/postgres?sslmode=disable` } });
      const checks = (JSON.parse(health.stdout) as { checks: { name: string; detail: string }[] }).checks;
      assert.ok(checks.some((c) => c.name === 'connection' && /^warning: connecting to \S+ WITHOUT TLS/.test(c.detail)), health.stdout);
      for (const out of [refused.stdout, refused.stderr, warned.stdout, warned.stderr, health.stdout, health.stderr]) assert.ok(!out.includes(PASSWORD) && !out.includes(pw), out);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
