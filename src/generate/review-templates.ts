import { WORD_POOLS } from './sentiment-vocabulary.ts';
import type { WordPool } from './sentiment-vocabulary.ts';

/** A placeholder filled per review: a word pool, or a fact about the reviewed product. */
export type Slot = WordPool | 'noun' | 'brand' | 'count';
export type TemplatePart = string | { readonly slot: Slot };
export type Template = readonly TemplatePart[];

const FACT_SLOTS: readonly string[] = ['noun', 'brand', 'count'];

/**
 * Sentence and title templates by the sentiment they carry. Literal words in positive
 * templates are never AFINN-negative, negative templates never AFINN-positive, neutral
 * templates contain no AFINN word (checked by review-templates.test.ts). Mixed and sarcastic
 * templates deliberately combine both, and double quotes and commas inside them make
 * the review bodies exercise CSV quoting.
 */
const SENTENCE_SOURCES = {
  positive: [
    'The {noun} is {positiveMild}.',
    'Really {positiveMild} {noun}, and the {parts} feels {positiveMild} too.',
    'I {positiveVerbs} it.',
    'Honestly, this is the most {positiveStrong} {noun} I have owned.',
    '{positiveStrong}! Exactly what I needed.',
    'My {persons} says it is {positiveStrong}, and I agree.',
    'Setup took {count} minutes and everything was {positiveMild}.',
    'The {parts} is {positiveMild} and {positiveMild}.',
    'For the price, it is {positiveStrong}.',
    'I would recommend this {noun} to anyone.',
    'Five stars, {positiveMild} quality.',
    '{brand} did a {positiveStrong} job with this one.',
    'It arrived early and the packaging was {positiveMild}.',
    'My {persons} called it "the best {noun} ever".',
    'Been using it {usages} for {count} {periods} and it still looks {positiveMild}.',
    'So {positiveMild} that I bought a second one.',
    'I {positiveVerbs} the {parts}.',
    'Thank you, {brand}!',
    'Very {positiveFeelings} with this purchase.',
    'The {parts} is {positiveStrong}, the {parts} is {positiveMild}, and it just works.',
    'We were {positiveFeelings} from the first day.',
  ],
  negative: [
    'The {noun} is {negativeMild}.',
    'The {parts} {negativeEvents} after {count} {periods}.',
    'Total {negativeNouns}.',
    'I {negativeVerbs} this {noun}.',
    '{negativeStrong} build, avoid.',
    'Very {negativeMild}, the {parts} is {negativeMild} and {negativeStrong}.',
    'The listing says "{claims}" but it is {negativeStrong}.',
    'Returned it after {count} days, what a {negativeNouns}.',
    'Do not buy this {noun}, it is {negativeStrong}.',
    'My {persons} was {negativeFeelings} when it {negativeEvents}.',
    'Worst {noun} I have ever bought.',
    'The {parts} is {negativeMild} and the {parts} is {negativeMild}.',
    '{brand} should be ashamed, this is {negativeStrong}.',
    'Another {negativeNouns} from {brand}.',
    'It {negativeEvents} on day {count}, {negativeStrong}.',
    'I am {negativeFeelings} and asked for my money back.',
    'The {parts} feels {negativeMild}, "{claims}" my foot.',
  ],
  neutral: [
    'I bought this for my {persons}.',
    'It arrived on {weekdays}.',
    'I have been using it {usages} for {count} {periods}.',
    'Ordered the {colors} one.',
    'The {parts} is about {count} inches long.',
    'It is the 12" version, not the 10" one.',
    'Shipping took {count} days.',
    'The box had the {noun}, a manual and a spare {parts}.',
    'I compared it with the {brand} model before ordering.',
    'We use it mostly {usages}.',
    'Color is as shown in the photos.',
    'Comes in a plain cardboard box.',
    'Size: medium, color: {colors}.',
    'This is my third {noun} from {brand}.',
    'I use it {usages}, {usages} and sometimes {usages}.',
  ],
  mixed: [
    'The {parts} is {positiveMild}, but the {parts} is {negativeMild}.',
    '{positiveMild} design, {negativeMild} build.',
    'It does the job, although the {parts} {negativeEvents} after {count} {periods}.',
    'Not {positiveStrong}, not {negativeStrong}, just average.',
    'I {positiveVerbs} the {parts}, I {negativeVerbs} the {parts}.',
  ],
  sarcastic: [
    'Oh great, another {noun} that stopped working after {count} {periods}.',
    'Absolutely perfect, if you enjoy wasting money.',
    'Best purchase ever. Said no one.',
    'Love how the {parts} fell apart the first time I used it.',
    'Wonderful, the {parts} broke on day {count}. Just wonderful.',
    'Five stars for the packaging, the {noun} itself is another story.',
    'Really "{claims}", lol.',
    'Thanks {brand}, now I get to buy a second one. Amazing.',
  ],
} as const;

const TITLE_SOURCES = {
  strongPositive: ['{positiveStrong}!', 'Absolutely {positiveStrong}', '{positiveStrong} {noun}', 'Love it', 'Best {noun} ever', 'Five stars', 'Highly recommend', '{positiveStrong}, {positiveStrong}, {positiveStrong}'],
  positive: ['{positiveMild} {noun}', 'Pretty {positiveMild}', 'Good value', 'Does the job', '{positiveFeelings} with it', '{positiveMild} for the price'],
  mixed: ['It is ok', 'Mixed feelings', '{positiveMild} but {negativeMild}', 'Average {noun}', 'Not great, not terrible', 'Three stars'],
  negative: ['{negativeMild} build', '{negativeFeelings}', 'Would not buy again', '{negativeMild} {noun}', 'Meh'],
  strongNegative: ['{negativeStrong}!', 'Do not buy', 'Total {negativeNouns}', 'Broke after {count} days', 'Worst {noun} ever', '{negativeStrong}, {negativeStrong} {noun}'],
} as const;

const UPDATE_SOURCES = {
  positive: ['Update: after {count} months it still works and I am {positiveFeelings}.', 'Update: {brand} sent a replacement, {positiveMild} service.'],
  negative: ['Update: it {negativeEvents} after {count} months, {negativeStrong}.', 'Update: the seller never answered, {negativeFeelings}.'],
} as const;

export type SentenceKind = keyof typeof SENTENCE_SOURCES;
export type TitleKind = keyof typeof TITLE_SOURCES;
export type UpdateKind = keyof typeof UPDATE_SOURCES;

export const SENTENCES: Readonly<Record<SentenceKind, readonly Template[]>> = compileGroups(SENTENCE_SOURCES);
export const TITLES: Readonly<Record<TitleKind, readonly Template[]>> = compileGroups(TITLE_SOURCES);
export const UPDATE_NOTES: Readonly<Record<UpdateKind, readonly Template[]>> = compileGroups(UPDATE_SOURCES);

/** Splits "{slot}" markers out once at load time, so filling a template is a plain loop. */
export function compileTemplate(source: string): Template {
  const parts: TemplatePart[] = [];
  let cursor = 0;
  for (const match of source.matchAll(/\{(\w+)\}/g)) {
    if (match.index > cursor) parts.push(source.slice(cursor, match.index));
    parts.push({ slot: asSlot(match[1] ?? '', source) });
    cursor = match.index + match[0].length;
  }
  if (cursor < source.length) parts.push(source.slice(cursor));
  return parts;
}

function asSlot(name: string, source: string): Slot {
  if (FACT_SLOTS.includes(name) || Object.hasOwn(WORD_POOLS, name)) return name as Slot;
  throw new Error(`unknown slot {${name}} in template "${source}"`);
}

function compileGroups<K extends string>(groups: Readonly<Record<K, readonly string[]>>): Record<K, readonly Template[]> {
  const compiled = {} as Record<K, readonly Template[]>;
  for (const kind of Object.keys(groups) as K[]) compiled[kind] = groups[kind].map(compileTemplate);
  return compiled;
}
