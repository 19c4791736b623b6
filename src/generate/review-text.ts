import type { Random } from './random.ts';
import { WORD_POOLS } from './sentiment-vocabulary.ts';
import { SENTENCES, TITLES, UPDATE_NOTES } from './review-templates.ts';
import type { SentenceKind, Template, TitleKind } from './review-templates.ts';

/** How the text feels: -2 furious … 0 mixed … 2 delighted. Usually follows the rating, not always. */
export type Tone = -2 | -1 | 0 | 1 | 2;

/** Sarcastic text reads glowing to a word counter while the reviewer means the opposite. */
export type Voice = 'sincere' | 'sarcastic';

export interface ReviewSubject {
  readonly noun: string;
  readonly brand: string | null;
}

type SentenceMix = readonly [positive: number, negative: number, neutral: number, mixed: number];

// Per tone, the chance a sentence is positive / negative / neutral / mixed: noise on purpose,
// so even 5★ reviews grumble about something now and then.
const SENTENCE_MIX: Readonly<Record<Tone, SentenceMix>> = {
  2: [0.8, 0.03, 0.15, 0.02],
  1: [0.62, 0.08, 0.22, 0.08],
  0: [0.25, 0.25, 0.3, 0.2],
  [-1]: [0.08, 0.62, 0.22, 0.08],
  [-2]: [0.03, 0.8, 0.15, 0.02],
};

const TITLE_KIND: Readonly<Record<Tone, TitleKind>> = {
  2: 'strongPositive',
  1: 'positive',
  0: 'mixed',
  [-1]: 'negative',
  [-2]: 'strongNegative',
};

const POSITIVE_EMOJI: readonly string[] = ['👍', '❤️', '🙂', '⭐⭐⭐⭐⭐'];
const NEGATIVE_EMOJI: readonly string[] = ['👎', '😡', '🙁'];

export class ReviewTextWriter {
  constructor(private readonly random: Random) {}

  title(tone: Tone, voice: Voice, subject: ReviewSubject): string {
    const random = this.random;
    let kind = TITLE_KIND[tone];
    if (voice === 'sarcastic') kind = random.chance(0.5) ? 'strongPositive' : 'strongNegative';
    else if (random.chance(0.1)) kind = TITLE_KIND[nudge(tone, random)];
    return capitalize(this.fill(random.pick(TITLES[kind]), subject));
  }

  body(tone: Tone, voice: Voice, subject: ReviewSubject): string {
    const random = this.random;
    const sentenceCount = drawSentenceCount(random);
    const paragraphLength = random.intBetween(3, 5);
    const paragraphBreak = random.chance(0.03) ? '\r\n\r\n' : random.chance(0.3) ? '\n' : '\n\n';
    let body = '';
    for (let index = 0; index < sentenceCount; index++) {
      const kind = voice === 'sarcastic' ? sarcasticSentenceKind(index, random) : sincereSentenceKind(tone, index, random);
      const sentence = capitalize(this.fill(random.pick(SENTENCES[kind]), subject));
      if (index === 0) body = sentence;
      else body += (index % paragraphLength === 0 && sentenceCount >= 5 ? paragraphBreak : ' ') + sentence;
    }
    if (random.chance(0.015)) body += ' ' + random.pick(tone > 0 && voice === 'sincere' ? POSITIVE_EMOJI : NEGATIVE_EMOJI);
    return body;
  }

  /** The paragraph an edit appends: reviewers come back when something changed. */
  updateNote(improved: boolean, subject: ReviewSubject): string {
    return this.fill(this.random.pick(UPDATE_NOTES[improved ? 'positive' : 'negative']), subject);
  }

  private fill(template: Template, subject: ReviewSubject): string {
    let text = '';
    for (const part of template) {
      if (typeof part === 'string') text += part;
      else if (part.slot === 'noun') text += subject.noun;
      else if (part.slot === 'brand') text += subject.brand ?? 'the seller';
      else if (part.slot === 'count') text += String(this.random.intBetween(2, 12));
      else text += this.random.pick(WORD_POOLS[part.slot]);
    }
    return text;
  }
}

/** One-liners to multi-paragraph essays, heavy-tailed like real review lengths. */
function drawSentenceCount(random: Random): number {
  const roll = random.next();
  if (roll < 0.25) return 1;
  if (roll < 0.65) return random.intBetween(2, 4);
  if (roll < 0.9) return random.intBetween(5, 9);
  if (roll < 0.98) return random.intBetween(10, 20);
  return random.intBetween(21, 60);
}

function sincereSentenceKind(tone: Tone, index: number, random: Random): SentenceKind {
  const [positive, negative, neutral] = SENTENCE_MIX[tone];
  // The opening sentence states the verdict; context and asides come after it.
  if (index === 0 && tone !== 0) return tone > 0 ? 'positive' : 'negative';
  const roll = random.next();
  if (roll < positive) return 'positive';
  if (roll < positive + negative) return 'negative';
  if (roll < positive + negative + neutral) return 'neutral';
  return 'mixed';
}

function sarcasticSentenceKind(index: number, random: Random): SentenceKind {
  if (index === 0) return 'sarcastic';
  const roll = random.next();
  return roll < 0.5 ? 'sarcastic' : roll < 0.9 ? 'negative' : 'neutral';
}

function nudge(tone: Tone, random: Random): Tone {
  const shifted = tone + (random.chance(0.5) ? 1 : -1);
  return Math.max(-2, Math.min(2, shifted)) as Tone;
}

function capitalize(text: string): string {
  const first = text.charCodeAt(0);
  // Most templates already start upper-case; only a leading slot word needs the copy.
  return first >= 97 && first <= 122 ? String.fromCharCode(first - 32) + text.slice(1) : text;
}
