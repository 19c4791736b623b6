import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { threadNiceValues as niceValues } from '../../spec/support/threads.ts';
import { tempProject } from '../../spec/temp-project.ts';
import { WORKER_FROM, writeTextFiles, type TextFile } from './target-files.ts';

/** As many files as make writeTextFiles hand them to its worker thread. */
const MANY = WORKER_FROM + 500;

const filesIn = (dir: string, n: number, compare = false): TextFile[] =>
  Array.from({ length: n }, (_, i) => ({ path: join(dir, `m${i}.sql`), text: `select ${i} as id\n`, compare }));

for (const n of [3, MANY]) {
  test(`${n} files: each written, its stat returned in order; compared again, the unchanged ones are not rewritten`, async () => {
    const dir = tempProject('target-files', {});
    const files = filesIn(dir, n);
    const stats = await writeTextFiles(files).done();
    assert.equal(stats.length, n);
    for (const i of [0, n - 1]) {
      assert.equal(readFileSync(files[i]!.path, 'utf8'), files[i]!.text);
      const s = statSync(files[i]!.path);
      assert.deepEqual(stats[i], { size: s.size, mtimeMs: s.mtimeMs });
    }
    // One file edited to other text of the same length: only it is written again.
    writeFileSync(files[1]!.path, 'select X as id\n');
    const before = statSync(files[0]!.path).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    const again = await writeTextFiles(filesIn(dir, n, true)).done();
    assert.equal(readFileSync(files[1]!.path, 'utf8'), files[1]!.text);
    assert.equal(statSync(files[0]!.path).mtimeMs, before, 'unchanged: not rewritten');
    assert.equal(again[0]!.mtimeMs, before);
  });

  test(`${n} files: a file that cannot be written is named, with the file system's reason`, async () => {
    const dir = tempProject('target-files', { 'blocked/x': '' });
    const files = filesIn(dir, n);
    files[Math.floor(n / 2)] = { path: join(dir, 'blocked', 'x', 'm.sql'), text: 'select 1\n', compare: false };
    await assert.rejects(writeTextFiles(files).done(), (err: Error) => {
      assert.equal(err.message, `cannot write ${join(dir, 'blocked', 'x', 'm.sql')}: a part of the path is not a directory (ENOTDIR)`);
      return true;
    });
  });
}

test('stop: the worker writes no further file, and its caller waits for it', async () => {
  const dir = tempProject('target-files', {});
  const files = filesIn(dir, 10 * MANY);
  const pending = writeTextFiles(files);
  await pending.stop();
  assert.ok(!existsSync(files.at(-1)!.path), 'the last file was never written');
});

test('the writer takes the CPU the compile leaves: its thread has the lowest priority', { skip: process.platform !== 'linux' && 'threads have their own nice value on Linux only' }, async () => {
  const before = niceValues();
  const pending = writeTextFiles(filesIn(tempProject('target-files', {}), 10 * MANY));
  let written = false;
  const ended = (): void => void (written = true);
  pending.done().then(ended, ended);
  let lowered: number[] = [];
  while (lowered.length === 0 && !written) {
    lowered = [...niceValues()].filter(([tid, nice]) => !before.has(tid) && nice === 19).map(([tid]) => tid);
    await new Promise((r) => setTimeout(r, 5));
  }
  await pending.stop();
  assert.ok(lowered.length >= 1, 'a thread started at the lowest priority');
  assert.equal(niceValues().get(process.pid), before.get(process.pid), 'the main thread keeps its own');
});
