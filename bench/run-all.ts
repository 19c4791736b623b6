/** `npm run bench`: every benchmark in turn; each prints its figures and writes bench/results/<name>.json. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

for (const bench of ['compile', 'generate', 'export', 'pipeline']) {
  console.log(`\n=== bench/${bench}.ts`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, `${bench}.ts`)], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}
