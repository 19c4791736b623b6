import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { copyPieces, copyPlan, type CopyPiece } from './copy-chunks.ts';
import { createPgliteEngine } from './pglite.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

async function* streamOf(text: string, cuts: number[]): AsyncIterable<Uint8Array> {
  const bytes = enc.encode(text);
  let at = 0;
  for (const c of [...cuts.filter((x) => x > 0 && x < bytes.length)].sort((a, b) => a - b)) {
    yield bytes.slice(at, c);
    at = c;
  }
  yield bytes.slice(at);
}

async function pieces(text: string, cuts: number[], sql: string, max: number): Promise<CopyPiece[]> {
  const out: CopyPiece[] = [];
  for await (const p of copyPieces(streamOf(text, cuts), copyPlan(sql), max)) out.push(p);
  return out;
}

const csvField = fc.oneof(fc.string({ maxLength: 6 }).map((s) => s.replace(/[",\n]/g, 'x')), fc.string({ maxLength: 8 }).map((s) => `"${s.replace(/"/g, '""')}"`));
const csvRecord = fc.array(csvField, { minLength: 1, maxLength: 4 }).map((fs) => fs.join(','));

test('CSV pieces end at record boundaries (quoted newlines included), repeat the header, and lose or add nothing', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(csvRecord, { maxLength: 40 }), fc.array(fc.nat(400)), fc.integer({ min: 1, max: 60 }), fc.boolean(), async (records, cuts, max, newlineAtEnd) => {
      const header = 'a,b,"c\nd"';
      const text = [header, ...records].join('\n') + (newlineAtEnd ? '\n' : '');
      const got = await pieces(text, cuts, 'copy t from stdin with (format csv, header true)', max);
      const headerLine = `${header}\n`;
      let rebuilt = '';
      let counted = 0;
      const longest = Math.max(0, ...records.map((r) => Buffer.byteLength(r) + 1));
      got.forEach((p, i) => {
        const s = dec.decode(Buffer.concat(p.bytes));
        assert.equal(p.size, Buffer.byteLength(s));
        assert.ok(s.startsWith(headerLine), `piece ${i} starts with the header`);
        rebuilt += i === 0 ? s : s.slice(headerLine.length);
        counted += p.lines;
        // Every piece but the last ends at a record boundary.
        if (i < got.length - 1) assert.ok(s.endsWith('\n') && (s.split('"').length - 1) % 2 === 0);
      });
      const dataText = text.slice(headerLine.length);
      assert.equal(rebuilt, dataText.length ? text : '');
      assert.equal(counted, dataText.length ? dataText.split('\n').length - 1 : 0);
      for (const p of got) assert.ok(p.size - headerLine.length <= max + longest, `a piece of ${p.size} bytes for at most ${max}`);
    }),
    { numRuns: 300 },
  );
});

test('binary input and custom quoting are kept whole; text splits at every newline', async () => {
  assert.equal(copyPlan('copy t from stdin (format binary)').splittable, false);
  assert.equal(copyPlan(`copy t from stdin with (format csv, quote '''')`).splittable, false);
  assert.deepEqual(copyPlan('copy t (a, b) from stdin with (format csv, header false)'), { splittable: true, csv: true, header: false });
  const got = await pieces('1\ta\n2\t"b\n3\tc\n', [], 'copy t from stdin', 4);
  assert.deepEqual(got.map((p) => dec.decode(Buffer.concat(p.bytes))), ['1\ta\n', '2\t"b\n', '3\tc\n']);
});

test('PGlite loads a CSV in bounded pieces in one transaction, and a bad record names its line in the whole file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-i17b-copy-'));
  const engine = await createPgliteEngine(join(dir, 'db'), { copyPieceBytes: 64 });
  try {
    await engine.exec('create table t (id int primary key, note text)');
    const rows = Array.from({ length: 50 }, (_, i) => `${i + 1},"note ${i + 1}, with ""quotes""\nand a second line"`);
    const csv = ['id,note', ...rows].join('\n') + '\n';
    const copied = await engine.transaction((tx) => tx.copyFrom('copy t (id, note) from stdin with (format csv, header true)', streamOf(csv, [7, 100, 333])));
    assert.equal(copied, 50);
    const { rows: back } = await engine.query<{ n: number; note: string }>('select count(*)::int as n, max(note) filter (where id = 37) as note from t');
    assert.deepEqual(back[0], { n: 50, note: 'note 37, with "quotes"\nand a second line' });

    await engine.exec('truncate t');
    const bad = ['id,note', ...rows.slice(0, 30), 'oops,"x"', ...rows.slice(30)].join('\n') + '\n';
    await assert.rejects(
      engine.transaction((tx) => tx.copyFrom('copy t (id, note) from stdin with (format csv, header true)', streamOf(bad, [50]))),
      // Each record spans two lines: the header is line 1, the 30 good records lines 2–61.
      (e: { where?: string }) => /line 62\b/.test(e.where ?? '') || assert.fail(`where: ${e.where}`),
    );
    const { rows: after } = await engine.query<{ n: number }>('select count(*)::int as n from t');
    assert.equal(after[0]!.n, 0, 'the pieces before the bad one were rolled back with it');
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
