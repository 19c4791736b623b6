import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from './index.ts';
import { SAMPLE_SEED_OPTIONS } from './sample-seed.ts';

test('the committed sample in sample/amazon/ is exactly what the generator writes for 3000 reviews, seed 42', async () => {
  const outDir = await mkdtemp(join(tmpdir(), 'strata-sample-'));
  try {
    for (const file of await generateDataset({ ...SAMPLE_SEED_OPTIONS, outDir })) {
      const committed = await readFile(join(SAMPLE_SEED_OPTIONS.outDir, `${file.table}.csv`), 'utf8');
      const fresh = await readFile(file.path, 'utf8');
      assert.ok(committed === fresh, `sample/amazon/${file.table}.csv is stale; run: npx tsx src/generate/sample-seed.ts`);
    }
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
});
