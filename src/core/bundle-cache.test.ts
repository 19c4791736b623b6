import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freshStamp, writeStamp } from './bundle-cache.mjs';

test('a stamp holds while its inputs are unchanged, and not for a file edited while the bundle was built', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bundle-cache-'));
  try {
    const source = join(dir, 'a.ts');
    const stamp = join(dir, 'stamp.json');
    writeFileSync(source, 'export const a = 1;\n');
    writeStamp(stamp, [source], { dir: 'x' });
    assert.equal(freshStamp(stamp)?.dir, 'x');

    writeFileSync(source, 'export const a = 2;\n');
    assert.equal(freshStamp(stamp), null, 'edited after the build');

    // The bundler read the old content, the file now holds the new one.
    writeStamp(stamp, [source], { dir: 'y' }, new Map([[source, Buffer.from('export const a = 1;\n')]]));
    assert.equal(freshStamp(stamp), null, 'edited during the build');

    rmSync(source);
    assert.equal(freshStamp(stamp), null, 'an input is gone');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
