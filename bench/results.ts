import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineSpeed } from './support/machine-speed.ts';

/**
 * Benchmarks print their figures and keep them in bench/results/<name>.json, with the
 * machine's yardstick (bench/support/machine-speed.ts) taken right after the run.
 */
export function writeBenchResult(name: string, data: Record<string, unknown>): void {
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  const machine = machineSpeed();
  console.log(`machine yardstick: reference JavaScript ${machine.js_reference_cpu_s} CPU s, creating a file ${machine.file_create_ms} ms`);
  writeFileSync(file, JSON.stringify({ bench: name, at: new Date().toISOString(), node: process.version, machine, ...data }, null, 2) + '\n');
  console.log(`figures written to ${file}`);
}
