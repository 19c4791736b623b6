/**
 * Regenerates the committed sample in sample/amazon/ (3000 reviews, seed 42) after a generator change.
 * Run: npx tsx src/generate/sample-seed.ts
 */
import { fileURLToPath } from 'node:url';
import { generateDataset } from './index.ts';
import type { GenerateOptions } from './index.ts';

export const SAMPLE_SEED_OPTIONS: GenerateOptions = {
  reviews: 3000,
  seed: 42,
  outDir: fileURLToPath(new URL('../../sample/amazon/', import.meta.url)),
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const file of await generateDataset(SAMPLE_SEED_OPTIONS)) console.log(`${file.table}: ${file.rows} rows → ${file.path}`);
}
