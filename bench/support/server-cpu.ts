/**
 * Server CPU of one database's backends, for benchmarks on a shared machine where wall time
 * says little: every `interval` ms the backends of `database` are listed
 * (pg_stat_activity, parallel workers included) and their utime + stime read from
 * /proc/<pid>/stat (the server must run on this machine). A backend's last sample is up
 * to one interval old when it exits, so the sum is a lower bound (≈ 1 % low per 100 ms of
 * a backend's life at worst).
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';

const TICKS_PER_SECOND = 100;

/** A process's CPU seconds (user + system); null once it has ended. */
export function cpuSeconds(pid: number): number | null {
  const ticks = cpuTicks(pid);
  return ticks === null ? null : ticks / TICKS_PER_SECOND;
}

function cpuTicks(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces) start at state: utime is the 12th, stime the 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return null;
  }
}

export interface ServerCpuSampler {
  /** Stops sampling; the server CPU seconds seen. */
  stop(): Promise<number>;
}

export async function sampleServerCpu(adminUrl: string, database: string, interval = 100): Promise<ServerCpuSampler> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const own = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
  const seen = new Map<number, number>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1 and pid <> $2', [database, own]);
      for (const { pid } of rows) {
        const t = cpuTicks(pid);
        if (t !== null) seen.set(pid, Math.max(seen.get(pid) ?? 0, t));
      }
      await new Promise((r) => setTimeout(r, interval));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await client.end();
      return [...seen.values()].reduce((a, b) => a + b, 0) / TICKS_PER_SECOND;
    },
  };
}
