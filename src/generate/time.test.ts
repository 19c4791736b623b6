import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTimestamp, MICROS_PER_DAY, utcMicros } from './time.ts';

test('timestamps are ISO-8601 UTC with six fractional digits', () => {
  assert.equal(formatTimestamp(utcMicros(2023, 4, 5)), '2023-04-05T00:00:00.000000Z');
  assert.equal(formatTimestamp(utcMicros(2023, 4, 5) + 36_672_123_456), '2023-04-05T10:11:12.123456Z');
  assert.equal(formatTimestamp(utcMicros(2019, 1, 1) + 7), '2019-01-01T00:00:00.000007Z');
  assert.equal(formatTimestamp(utcMicros(2019, 1, 1) + 42_000), '2019-01-01T00:00:00.042000Z');
});

test('formatted timestamps parse back to the same instant', () => {
  const micros = utcMicros(2024, 2, 29) + MICROS_PER_DAY / 3 + 999;
  const formatted = formatTimestamp(micros);
  assert.equal(Date.parse(formatted), Math.floor(micros / 1000));
  assert.equal(formatted.slice(23, 26), '999');
});

test('formatting agrees with Date for arbitrary instants, including day boundaries', () => {
  for (const micros of [0, utcMicros(2025, 12, 31) + MICROS_PER_DAY - 1, utcMicros(2020, 2, 29) + 1, 1_700_000_000_123_456]) {
    const expected = new Date(Math.floor(micros / 1000)).toISOString().slice(0, 23) + String(micros % 1000).padStart(3, '0') + 'Z';
    assert.equal(formatTimestamp(micros), expected);
  }
});
