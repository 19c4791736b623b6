/**
 * Throwaway servers for the specs (a PostgreSQL cluster, PgBouncer): an unprivileged OS
 * user to run them as (both refuse to run as root), free ports, and child processes that
 * fail loudly with their output when a step goes wrong.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const PG_BIN = process.env.STRATA_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface OsUser {
  name: string;
  uid?: number;
  gid?: number;
}

/** Root creates (once) and uses `name`; anyone else runs servers as themselves. */
export function unprivilegedUser(name = 'strata_tls'): OsUser {
  if (process.getuid?.() !== 0) return { name: execFileSync('id', ['-un'], { encoding: 'utf8' }).trim() };
  if (spawnSync('id', ['-u', name]).status !== 0) {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name]);
  }
  const id = (flag: string): number => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  return { name, uid: id('-u'), gid: id('-g') };
}

/** A private temp directory the user owns. */
export function tempDirFor(user: OsUser, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (user.uid !== undefined) chownSync(dir, user.uid, user.gid!);
  return dir;
}

const asUser = (user: OsUser) => (user.uid !== undefined ? { uid: user.uid, gid: user.gid! } : {});

/** Runs a program to completion as `user`; throws with its output when it fails. */
export function runAs(user: OsUser, file: string, args: string[], opts: { cwd?: string; input?: string } = {}): string {
  if (!existsSync(file) && file.startsWith('/')) throw new Error(`${file} is not installed`);
  const r = spawnSync(file, args, { ...asUser(user), cwd: opts.cwd ?? '/', encoding: 'utf8', input: opts.input, env: { PATH: process.env.PATH, LANG: 'C.UTF-8' } });
  if (r.error) throw new Error(`${file}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Starts a long-running program as `user`; its output is kept for error messages. */
export function startAs(user: OsUser, file: string, args: string[]): { child: ChildProcess; output: () => string } {
  if (!existsSync(file)) throw new Error(`${file} is not installed`);
  const child = spawn(file, args, { ...asUser(user), cwd: '/', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, LANG: 'C.UTF-8' } });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  return { child, output: () => out };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Waits until something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs = 15_000, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (!alive() || Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await sleep(100);
  }
}

/** Writes a file the user owns. */
export function writeFileAs(user: OsUser, path: string, text: string, mode = 0o600): void {
  writeFileSync(path, text, { mode });
  chmodSync(path, mode);
  if (user.uid !== undefined) chownSync(path, user.uid, user.gid!);
}
