import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decimal128ToString, encodeNumeric, numericTextBound, numericToDecimal128, numericToString, writeNumericText } from './pg-numeric.ts';

const samples = ['0', '0.00', '1', '-1', '12.30', '-9999.99', '0.0001', '100000000', '-0.5', '123456789012345678901234567890.1234567890', 'NaN', 'Infinity', '-Infinity'];

test('numeric text survives binary encoding and numeric_out-style printing', () => {
  for (const s of samples) assert.equal(numericToString(encodeNumeric(s), 0), s, s);
  assert.equal(numericToString(encodeNumeric('007.50'), 0), '7.50');
  assert.throws(() => encodeNumeric('1e5'), /not a decimal number/);
  assert.throws(() => encodeNumeric(''), /not a decimal number/);
});

test('numeric text is numeric_out\'s for any value: integer and fraction digits, signs, scales', () => {
  fc.assert(
    fc.property(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 40n }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 12 }), (neg, digits, scale, pad) => {
      const text = digits.toString().padStart(scale + 1, '0');
      const body = scale === 0 ? text : `${text.slice(0, -scale)}.${text.slice(-scale)}`;
      const want = (neg && digits !== 0n ? '-' : '') + body + (scale > 0 ? '' : '');
      const encoded = encodeNumeric((neg ? '-' : '') + '0'.repeat(pad) + body);
      // Written at an offset into a larger buffer, as the column builder does.
      const out = new Uint8Array(numericTextBound(encoded, 0) + 7);
      const n = writeNumericText(encoded, 0, out, 7);
      assert.equal(Buffer.from(out.subarray(7, 7 + n)).toString('latin1'), want);
    }),
  );
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
