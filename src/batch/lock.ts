import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queryable } from '../engine/engine.ts';
import { processAlive } from '../core/process.ts';

/** A holder that stopped refreshing its heartbeat this long ago is taken to be dead. */
const STALE_AFTER_SECONDS = 120;
const HEARTBEAT_MS = 15_000;

export interface HeldLock {
  release(): Promise<void>;
  /**
   * Throws unless this holder still owns the lock. Inside a transaction it also locks the
   * row until commit, so nobody can take the lock over between the check and the commit.
   */
  assertHeld(tx: Queryable): Promise<void>;
}

/**
 * A lock row, not a session advisory lock: it works through a transaction-mode pooler,
 * where consecutive statements may use different server connections. The holder
 * refreshes a heartbeat; a crashed holder's row goes stale and is taken over.
 */
export async function acquireBuildLock(
  db: Queryable,
  opts: { name?: string; batchId: string; command: string; timeoutMs: number },
): Promise<HeldLock> {
  const name = opts.name ?? 'build';
  const token = randomUUID();
  const host = hostname();
  const holder = `${opts.command} (pid ${process.pid} on ${host})`;
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const { rows } = await db.query(
      `insert into strata.locks (name, token, holder, host, pid, batch_id) values ($1, $2, $3, $4, $5, $6)
       on conflict (name) do update set token = excluded.token, holder = excluded.holder, host = excluded.host,
              pid = excluded.pid, batch_id = excluded.batch_id, acquired_at = now(), heartbeat_at = now()
        where strata.locks.heartbeat_at < now() - make_interval(secs => $7)
       returning token`,
      [name, token, holder, host, process.pid, opts.batchId, STALE_AFTER_SECONDS],
    );
    if (rows.length > 0) break;
    // A holder on this machine whose process is gone (killed, crashed) held it in vain.
    const { rows: held } = await db.query<{ token: string; host: string; pid: number }>('select token, host, pid from strata.locks where name = $1', [name]);
    const h = held[0];
    if (h && !processAlive(h.pid, h.host)) {
      await db.query('delete from strata.locks where name = $1 and token = $2', [name, h.token]);
      continue;
    }
    if (Date.now() >= deadline) {
      const { rows: held } = await db.query<{ holder: string; batch_id: string | null; acquired_at: Date }>(
        'select holder, batch_id, acquired_at from strata.locks where name = $1',
        [name],
      );
      const h = held[0];
      throw new Error(
        h
          ? `another build holds the lock: ${h.holder}, batch ${h.batch_id ?? '?'}, since ${new Date(h.acquired_at).toISOString()}; ` +
              `gave up after ${Math.round(opts.timeoutMs / 1000)}s (raise --lock-timeout to wait longer)`
          : 'could not take the build lock',
      );
    }
    await sleep(Math.min(1000, Math.max(50, deadline - Date.now())));
  }
  // A failed heartbeat is remembered, not swallowed: assertHeld reports it if the lock is gone.
  let lastBeatError: string | null = null;
  const beat = setInterval(() => {
    db.query('update strata.locks set heartbeat_at = now() where name = $1 and token = $2', [name, token]).then(
      (r) => {
        lastBeatError = r.rowCount === 0 ? 'the lock row is gone or belongs to another holder' : null;
      },
      (err: unknown) => {
        lastBeatError = err instanceof Error ? err.message : String(err);
      },
    );
  }, HEARTBEAT_MS);
  beat.unref();
  return {
    async release() {
      clearInterval(beat);
      await db.query('delete from strata.locks where name = $1 and token = $2', [name, token]);
    },
    async assertHeld(tx) {
      const { rows } = await tx.query<{ token: string; holder: string }>('select token, holder from strata.locks where name = $1 for update', [name]);
      if (rows[0]?.token === token) return;
      throw new Error(
        `this build lost the ${name} lock (${rows[0] ? `now held by ${rows[0].holder}` : 'nobody holds it'}` +
          `${lastBeatError ? `; last heartbeat problem: ${lastBeatError}` : ''}): refusing to publish, nothing was changed`,
      );
    },
  };
}
