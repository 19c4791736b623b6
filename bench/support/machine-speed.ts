/**
 * A yardstick for the machine a benchmark ran on. Machines of the same kind here have run the
 * same commands 2–3× apart (and one machine 2× apart within minutes), so a figure alone does
 * not say whether strata or the machine changed. Every bench records these beside its figures
 * (bench/results.ts): a fixed piece of JavaScript work in CPU seconds, and what creating a file
 * costs on the disk where projects live. Compare a figure across machines as a multiple of
 * them, not in seconds.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MachineSpeed {
  /** CPU seconds of referenceWork(): parsing, stringifying, hashing, string and array work. */
  js_reference_cpu_s: number;
  /** Milliseconds to create (and write) one small file in tmpdir, 2,000 one after another. */
  file_create_ms: number;
}

/** The same work every time, of the kinds strata's own code does (compile, decoding, events). */
function referenceWork(): number {
  const rows = Array.from({ length: 2_000 }, (_, i) => ({ id: i, name: `model_${i}`, sql: `select ${i} as id, 'x${i}' as v from t${i % 97}`, tags: ['a', 'b', String(i % 13)] }));
  let check = 0;
  for (let round = 0; round < 40; round++) {
    const text = JSON.stringify(rows);
    const back = JSON.parse(text) as typeof rows;
    check += back.length + createHash('sha1').update(text).digest()[0]!;
    for (const r of back) check += r.sql.split(' ').length + r.sql.replace(/\d+/g, '#').length;
  }
  const values = new Float64Array(1 << 18);
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < values.length; i++) values[i] = Math.sqrt(i + round) * 1.0001;
    values.sort();
    check += values[values.length >> 1]!;
  }
  return check;
}

export function machineSpeed(): MachineSpeed {
  const cpu0 = process.cpuUsage();
  referenceWork();
  const cpu = process.cpuUsage(cpu0);
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-create-'));
  const files = 2_000;
  const t0 = performance.now();
  for (let i = 0; i < files; i++) writeFileSync(join(dir, `f${i}.sql`), 'select 1\n');
  const createMs = (performance.now() - t0) / files;
  rmSync(dir, { recursive: true, force: true });
  return { js_reference_cpu_s: +((cpu.user + cpu.system) / 1e6).toFixed(3), file_create_ms: +createMs.toFixed(3) };
}
