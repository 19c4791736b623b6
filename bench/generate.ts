/**
 * Benchmark of the synthetic data generator (figures only, never pass/fail).
 * Run: npx tsx bench/generate.ts [--reviews N] [--seed S]
 * Writes bench/results/generate.json.
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateDataset } from '../src/generate/index.ts';

interface GenerateBenchmark {
  benchmark: 'generate';
  reviews: number;
  seed: number;
  rows: Record<string, number>;
  totalRows: number;
  megabytesWritten: number;
  wallSeconds: number;
  rowsPerSecond: number;
  reviewsPerSecond: number;
  megabytesPerSecond: number;
  peakRssMegabytes: number;
  node: string;
  cpu: string;
  cpuCount: number;
  measuredAt: string;
}

const RESULT_PATH = fileURLToPath(new URL('./results/generate.json', import.meta.url));
const MEGABYTE = 1024 * 1024;

const { values } = parseArgs({
  options: { reviews: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '42' } },
});
const reviews = Number(values.reviews);
const seed = Number(values.seed);
if (!Number.isSafeInteger(reviews) || reviews < 0 || !Number.isSafeInteger(seed)) {
  console.error('usage: npx tsx bench/generate.ts [--reviews N] [--seed S]');
  process.exit(2);
}

const outDir = await mkdtemp(join(tmpdir(), 'strata-bench-generate-'));
try {
  const started = performance.now();
  const files = await generateDataset({ reviews, seed, outDir });
  const wallSeconds = (performance.now() - started) / 1000;

  let bytes = 0;
  for (const file of files) bytes += (await stat(file.path)).size;
  const totalRows = files.reduce((sum, file) => sum + file.rows, 0);
  const result: GenerateBenchmark = {
    benchmark: 'generate',
    reviews,
    seed,
    rows: Object.fromEntries(files.map((file) => [file.table, file.rows])),
    totalRows,
    megabytesWritten: round(bytes / MEGABYTE),
    wallSeconds: round(wallSeconds),
    rowsPerSecond: Math.round(totalRows / wallSeconds),
    reviewsPerSecond: Math.round(reviews / wallSeconds),
    megabytesPerSecond: round(bytes / MEGABYTE / wallSeconds),
    // maxRSS is the process peak in kilobytes, so it includes module loading: an upper bound.
    peakRssMegabytes: round((process.resourceUsage().maxRSS * 1024) / MEGABYTE),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cpuCount: cpus().length,
    measuredAt: new Date().toISOString(),
  };

  await mkdir(join(RESULT_PATH, '..'), { recursive: true });
  await writeFile(RESULT_PATH, JSON.stringify(result, null, 2) + '\n');
  console.log(
    `generate: ${reviews} reviews (${totalRows} rows) in ${result.wallSeconds}s — ` +
      `${result.rowsPerSecond} rows/s, ${result.megabytesWritten} MB written (${result.megabytesPerSecond} MB/s), ` +
      `peak RSS ${result.peakRssMegabytes} MB`,
  );
  console.log(`figures written to ${RESULT_PATH}`);
} finally {
  await rm(outDir, { recursive: true, force: true });
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
