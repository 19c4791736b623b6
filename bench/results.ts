import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Benchmarks print their figures and keep them in bench/results/<name>.json. */
export function writeBenchResult(name: string, data: Record<string, unknown>): void {
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ bench: name, at: new Date().toISOString(), node: process.version, ...data }, null, 2) + '\n');
  console.log(`figures written to ${file}`);
}
