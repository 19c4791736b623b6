import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempProject } from '../../spec/temp-project.ts';
import { cleanIncompleteBatches } from './batches.ts';
import { batchDir, WRITER_FILE, writerMark } from './layout.ts';

/** An incomplete batch (no manifest) whose writer mark says `mark`. */
function leftover(lake: string, id: string, mark: object): string {
  const dir = batchDir(lake, 'gold', id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, WRITER_FILE), JSON.stringify(mark));
  writeFileSync(join(dir, 'half.parquet'), 'half-written');
  return dir;
}

test('a leftover whose writer is gone is removed even when a live process has its pid now; a live writer\'s is left alone', { skip: process.platform !== 'linux' && 'needs /proc' }, async () => {
  const lake = tempProject('writer-mark', {});
  const own = writerMark();
  assert.equal(typeof own.start, 'number');
  // This process's pid, as a killed export's pid reused by a later process would look.
  const reused = leftover(lake, 'b1', { ...own, start: own.start! - 1 });
  const live = leftover(lake, 'b2', own);
  const cleaned = await cleanIncompleteBatches(lake, 'gold');
  assert.deepEqual(cleaned.removed.map((e) => e.path), [reused]);
  assert.deepEqual(cleaned.skipped.map((e) => e.path), [live]);
  assert.equal(existsSync(reused), false);
  assert.equal(existsSync(live), true);
});
