/**
 * The tokeniser of models/silver/review_features.sql, mirrored for training the learned
 * sentiment lexicon (the model itself always scores in SQL; spec/scoring-harness.test.ts
 * checks that both agree on the real reviews' token counts). Lower-case; `. ! ? ; : ( ) …`
 * and line breaks end a sentence; commas and double quotes vanish; curly apostrophes are
 * straight; words split on spaces (other punctuation stays on the word, as in the SQL).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SENTENCE_MARKS = '.!?;:()\n…';
export const DROPPED = ',"';

/** The negators of macros/negators.sql: one list for the model and the trainer. */
export const NEGATORS: readonly string[] = [
  ...readFileSync(join(import.meta.dirname, '..', '..', 'macros', 'negators.sql'), 'utf8')
    .replace(/\{\{!--[\s\S]*?--\}\}/, '')
    .matchAll(/'((?:[^']|'')*)'/g),
].map((m) => m[1]!.replaceAll("''", "'"));

/** The sentences of a text, each as its words. */
export function sentences(text: string): string[][] {
  let t = text.toLowerCase().replaceAll('’', "'");
  for (const c of DROPPED) t = t.replaceAll(c, '');
  for (const c of SENTENCE_MARKS) t = t.replaceAll(c, '.');
  return t
    .split('.')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => s.split(' '));
}

export interface Token {
  word: string;
  negated: boolean;
}

const negators = new Set(NEGATORS);

/** Lexicon-ready words with whether a negator stands in the three words before them (same sentence). */
export function tokens(text: string): Token[] {
  const out: Token[] = [];
  for (const words of sentences(text)) {
    words.forEach((word, i) => {
      if (word === '') return;
      const negated = [1, 2, 3].some((k) => i - k >= 0 && negators.has(words[i - k]!));
      out.push({ word, negated });
    });
  }
  return out;
}
