import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decimal128ToString, encodeNumeric, numericToDecimal128, numericToString } from './pg-numeric.ts';

const samples = ['0', '0.00', '1', '-1', '12.30', '-9999.99', '0.0001', '100000000', '-0.5', '123456789012345678901234567890.1234567890', 'NaN', 'Infinity', '-Infinity'];

test('numeric text survives binary encoding and numeric_out-style printing', () => {
  for (const s of samples) assert.equal(numericToString(encodeNumeric(s), 0), s, s);
  assert.equal(numericToString(encodeNumeric('007.50'), 0), '7.50');
  assert.throws(() => encodeNumeric('1e5'), /not a decimal number/);
  assert.throws(() => encodeNumeric(''), /not a decimal number/);
});

test('binary numerics become exact Decimal128 words, on the double path and the BigInt path', () => {
  const cases: [string, number, number, string][] = [
    ['12.30', 6, 2, '12.30'],
    ['-9999.99', 6, 2, '-9999.99'],
    ['0', 6, 2, '0.00'],
    ['-0.01', 6, 2, '-0.01'],
    ['99999999999999999999999999999999999999', 38, 0, '99999999999999999999999999999999999999'],
    ['-99999999999999999999999999999999999999', 38, 0, '-99999999999999999999999999999999999999'],
    ['-9999999999999999999999999999.9999999999', 38, 10, '-9999999999999999999999999999.9999999999'],
    ['123456789012.345', 15, 3, '123456789012.345'],
    ['-4294967296', 15, 0, '-4294967296'],
    ['1.5', 20, 4, '1.5000'],
  ];
  for (const [text, p, s, want] of cases) {
    const words = new Uint32Array(8);
    assert.equal(numericToDecimal128(encodeNumeric(text), 0, p, s, words, 1), null);
    assert.equal(decimal128ToString(words, 1, s), want, `${text} as decimal(${p},${s})`);
  }
  assert.equal(numericToDecimal128(encodeNumeric('NaN'), 0, 6, 2, new Uint32Array(4), 0), 'NaN');
});
