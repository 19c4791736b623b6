/**
 * A real PgBouncer in front of the local server, as an unprivileged user (it refuses to
 * run as root), in transaction pooling mode: the way Neon's pooler serves connections.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startAs, tempDirFor, waitForPort, writeFileAs, type OsUser } from './processes.ts';

export const PGBOUNCER = process.env.STRATA_PGBOUNCER ?? '/usr/sbin/pgbouncer';

export interface Pooler {
  port: number;
  /** `url` with host and port replaced by the pooler's. */
  through(url: string): string;
  log(): string;
  stop(): Promise<void>;
}

export async function startPgbouncer(user: OsUser, upstream: { host: string; port: number; user: string }): Promise<Pooler> {
  const dir = tempDirFor(user, 'strata-pgbouncer-');
  const port = await freePort();
  // auth_type trust still wants the user listed in auth_file; the server behind does the real check.
  writeFileAs(user, join(dir, 'userlist.txt'), `"${upstream.user}" ""\n`);
  writeFileAs(user, join(dir, 'pgbouncer.ini'), [
    '[databases]',
    `* = host=${upstream.host} port=${upstream.port}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = trust',
    `auth_file = ${join(dir, 'userlist.txt')}`,
    'pool_mode = transaction',
    'max_client_conn = 200',
    'default_pool_size = 20',
    'ignore_startup_parameters = extra_float_digits,options',
    `logfile = ${join(dir, 'pgbouncer.log')}`,
    '',
  ].join('\n'));
  const proc = startAs(user, PGBOUNCER, [join(dir, 'pgbouncer.ini')]);
  let exited = false;
  proc.child.once('exit', () => (exited = true));
  try {
    await waitForPort(port, 15_000, () => !exited);
  } catch (err) {
    proc.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`pgbouncer did not start: ${(err as Error).message}\n${proc.output()}`);
  }
  return {
    port,
    through(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    log: () => proc.output(),
    async stop() {
      if (!exited) {
        const gone = new Promise((resolve) => proc.child.once('exit', resolve));
        proc.child.kill('SIGINT'); // immediate shutdown
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
