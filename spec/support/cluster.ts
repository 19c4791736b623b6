/**
 * A throwaway PostgreSQL cluster (initdb + pg_ctl) on a free port, run as an
 * unprivileged OS user, with the pg_hba.conf and settings a spec asks for.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PG_BIN, freePort, runAs, tempDirFor, writeFileAs, type OsUser } from './processes.ts';

export interface Cluster {
  port: number;
  dir: string;
  /** The server's self-signed certificate (when started with ssl). */
  certFile: string;
  /** Runs SQL as the superuser over the cluster's Unix socket (trust), returns psql's output. */
  psql(sql: string): string;
  log(): string;
  stop(): void;
}

export interface ClusterOptions {
  ssl: boolean;
  /** pg_hba.conf lines; `local all all trust` is always first, for psql(). */
  hba: string[];
  settings?: Record<string, string>;
  /** Addresses to listen on (default 127.0.0.1); the certificate names each, and localhost. */
  addresses?: string[];
}

export async function startCluster(user: OsUser, opts: ClusterOptions): Promise<Cluster> {
  const port = await freePort();
  const dir = tempDirFor(user, 'strata-pg-');
  const data = join(dir, 'data');
  writeFileAs(user, join(dir, 'pw'), 'initdb-only-password\n');
  runAs(user, join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${join(dir, 'pw')}`]);
  const certFile = join(data, 'server.crt');
  const addresses = opts.addresses ?? ['127.0.0.1'];
  if (opts.ssl) {
    runAs(user, '/usr/bin/openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', `subjectAltName=${[...addresses.map((a) => `IP:${a}`), 'DNS:localhost'].join(',')}`, '-keyout', join(data, 'server.key'), '-out', certFile,
    ]);
    runAs(user, '/bin/chmod', ['600', join(data, 'server.key')]);
  }
  writeFileAs(user, join(data, 'pg_hba.conf'), ['local all all trust', ...opts.hba, ''].join('\n'));
  const settings: Record<string, string> = {
    listen_addresses: addresses.join(','),
    unix_socket_directories: dir,
    ssl: opts.ssl ? 'on' : 'off',
    password_encryption: 'scram-sha-256',
    fsync: 'off',
    ...opts.settings,
  };
  const o = [`-p ${port}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(' ');
  const logFile = join(dir, 'server.log');
  const pgCtl = join(PG_BIN, 'pg_ctl');
  const cluster: Cluster = {
    port,
    dir,
    certFile,
    psql: (sql) => runAs(user, join(PG_BIN, 'psql'), ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', dir, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', sql]),
    log: () => runAs(user, '/bin/cat', [logFile]),
    stop() {
      try {
        runAs(user, pgCtl, ['-D', data, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  try {
    runAs(user, pgCtl, ['-D', data, '-l', logFile, '-w', '-t', '30', '-o', o, 'start']);
  } catch (err) {
    let log = '';
    try {
      log = cluster.log();
    } catch {
      /* no log yet */
    }
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}\n${log}`);
  }
  return cluster;
}
