/**
 * Postgres `numeric` on the binary wire: int16 ndigits, int16 weight, uint16 sign, int16
 * dscale, then ndigits base-10000 digits; the value is Σ digit[i]·10000^(weight−i).
 */

const SIGN_NEG = 0x4000;
const SIGN_NAN = 0xc000;
const SIGN_PINF = 0xd000;
const SIGN_NINF = 0xf000;
const TWO_32 = 4294967296;
/** Below this many decimal digits every value and partial sum is exact in a double. */
const MAX_DOUBLE_PRECISION = 15;
const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

function u16(b: Uint8Array, p: number): number {
  return (b[p]! << 8) | b[p + 1]!;
}

function i16(b: Uint8Array, p: number): number {
  return (u16(b, p) << 16) >> 16;
}

/** Why a numeric did not fit a Decimal128 column, or null when it did. */
export type DecimalMiss = 'NaN' | 'Infinity' | '-Infinity' | null;

function special(sign: number): DecimalMiss {
  if (sign === SIGN_NAN) return 'NaN';
  if (sign === SIGN_PINF) return 'Infinity';
  if (sign === SIGN_NINF) return '-Infinity';
  return null;
}

/**
 * Writes the value at `p` as a 128-bit little-endian two's-complement integer scaled by
 * 10^scale into out[4·row … 4·row+3]. Returns the special value that cannot be stored.
 */
export function numericToDecimal128(b: Uint8Array, p: number, precision: number, scale: number, out: Uint32Array, row: number): DecimalMiss {
  const ndigits = i16(b, p);
  const weight = i16(b, p + 2);
  const sign = u16(b, p + 4);
  const miss = special(sign);
  if (miss) return miss;
  const at = row * 4;
  if (precision <= MAX_DOUBLE_PRECISION) {
    let v = 0;
    for (let i = 0; i < ndigits; i++) {
      const d = u16(b, p + 8 + 2 * i);
      const exp = 4 * (weight - i) + scale;
      // The column's scale bounds the value's, so digits past it are zero padding.
      v += exp >= 0 ? d * POW10[exp]! : Math.trunc(d / POW10[-exp]!);
    }
    writeWords(out, at, sign === SIGN_NEG ? -v : v);
    return null;
  }
  let v = 0n;
  for (let i = 0; i < ndigits; i++) v = v * 10000n + BigInt(u16(b, p + 8 + 2 * i));
  const lastExp = 4 * (weight - (ndigits - 1)) + scale;
  if (ndigits > 0) v = lastExp >= 0 ? v * 10n ** BigInt(lastExp) : v / 10n ** BigInt(-lastExp);
  writeBigWords(out, at, sign === SIGN_NEG ? -v : v);
  return null;
}

function writeWords(out: Uint32Array, at: number, v: number): void {
  const a = Math.abs(v);
  const lo = a % TWO_32;
  const hi = (a - lo) / TWO_32;
  if (v >= 0 || a === 0) {
    out[at] = lo;
    out[at + 1] = hi;
    out[at + 2] = 0;
    out[at + 3] = 0;
  } else if (lo !== 0) {
    out[at] = TWO_32 - lo;
    out[at + 1] = 0xffffffff - hi;
    out[at + 2] = 0xffffffff;
    out[at + 3] = 0xffffffff;
  } else {
    out[at] = 0;
    out[at + 1] = TWO_32 - hi;
    out[at + 2] = 0xffffffff;
    out[at + 3] = 0xffffffff;
  }
}

function writeBigWords(out: Uint32Array, at: number, v: bigint): void {
  const u = BigInt.asUintN(128, v);
  for (let k = 0; k < 4; k++) out[at + k] = Number((u >> BigInt(32 * k)) & 0xffffffffn);
}

/** The value at words[4·row…] of a Decimal128 column as exact decimal text. */
export function decimal128ToString(words: Uint32Array, row: number, scale: number): string {
  let u = 0n;
  for (let k = 3; k >= 0; k--) u = (u << 32n) | BigInt(words[row * 4 + k]!);
  const v = BigInt.asIntN(128, u);
  const digits = (v < 0n ? -v : v).toString().padStart(scale + 1, '0');
  const sign = v < 0n ? '-' : '';
  return scale === 0 ? sign + digits : `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** The numeric at `p` as Postgres would print it (`numeric_out`). */
export function numericToString(b: Uint8Array, p: number): string {
  const out = new Uint8Array(numericTextBound(b, p));
  return String.fromCharCode(...out.subarray(0, writeNumericText(b, p, out, 0)));
}

const ASCII = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));
const SPECIAL_ASCII: Record<string, number[]> = { NaN: ASCII('NaN'), Infinity: ASCII('Infinity'), '-Infinity': ASCII('-Infinity') };

/** The most bytes `writeNumericText` can write for the value at `p`. */
export function numericTextBound(b: Uint8Array, p: number): number {
  return 10 + 4 * Math.max(i16(b, p + 2) + 1, 1) + Math.max(i16(b, p + 6), 0);
}

/** The four ASCII digits of every base-10000 digit, zero-padded: group d is GROUP_ASCII[4d … 4d+3]. */
const GROUP_ASCII = new Uint8Array(40000);
for (let d = 0; d < 10000; d++) {
  GROUP_ASCII[4 * d] = 48 + Math.trunc(d / 1000);
  GROUP_ASCII[4 * d + 1] = 48 + (Math.trunc(d / 100) % 10);
  GROUP_ASCII[4 * d + 2] = 48 + (Math.trunc(d / 10) % 10);
  GROUP_ASCII[4 * d + 3] = 48 + (d % 10);
}

/**
 * numericToString's text, written as ASCII straight into `out` at `at` (which must hold
 * numericTextBound bytes); returns how many bytes it wrote. No string is built and each
 * base-10000 digit is four bytes of a table, not four divisions: the lake export writes
 * millions of these.
 */
export function writeNumericText(b: Uint8Array, p: number, out: Uint8Array, at: number): number {
  const ndigits = i16(b, p);
  const weight = i16(b, p + 2);
  const sign = u16(b, p + 4);
  const dscale = i16(b, p + 6);
  const miss = special(sign);
  if (miss) {
    out.set(SPECIAL_ASCII[miss]!, at);
    return SPECIAL_ASCII[miss]!.length;
  }
  const digits = p + 8;
  let o = at;
  if (sign === SIGN_NEG) out[o++] = 45;
  if (weight < 0) out[o++] = 48;
  else {
    // The first group without its leading zeros, the others as four digits each.
    const d0 = ndigits > 0 ? u16(b, digits) : 0;
    const skip = d0 >= 1000 ? 0 : d0 >= 100 ? 1 : d0 >= 10 ? 2 : 3;
    for (let k = 4 * d0 + skip, e = 4 * d0 + 4; k < e; k++) out[o++] = GROUP_ASCII[k]!;
    for (let i = 1; i <= weight; i++) {
      const g = i < ndigits ? 4 * u16(b, digits + 2 * i) : 0;
      out[o] = GROUP_ASCII[g]!;
      out[o + 1] = GROUP_ASCII[g + 1]!;
      out[o + 2] = GROUP_ASCII[g + 2]!;
      out[o + 3] = GROUP_ASCII[g + 3]!;
      o += 4;
    }
  }
  if (dscale > 0) {
    out[o++] = 46;
    // Fraction groups start at digit weight + 1 (before the first stored one when weight < -1).
    for (let i = weight + 1, left = dscale; left > 0; i++, left -= 4) {
      const g = i >= 0 && i < ndigits ? 4 * u16(b, digits + 2 * i) : 0;
      // A whole group unrolled (the usual case): the byte loop was the profile's hottest line.
      if (left >= 4) {
        out[o] = GROUP_ASCII[g]!;
        out[o + 1] = GROUP_ASCII[g + 1]!;
        out[o + 2] = GROUP_ASCII[g + 2]!;
        out[o + 3] = GROUP_ASCII[g + 3]!;
        o += 4;
      } else {
        for (let k = 0; k < left; k++) out[o + k] = GROUP_ASCII[g + k]!;
        o += left;
      }
    }
  }
  return o - at;
}

const NUMERIC_TEXT = /^([+-])?(\d*)(?:\.(\d*))?$/;

/** Decimal text (or NaN / ±Infinity) as a binary numeric value, for COPY FROM. */
export function encodeNumeric(text: string): Uint8Array {
  const specialSign = text === 'NaN' ? SIGN_NAN : text === 'Infinity' ? SIGN_PINF : text === '-Infinity' ? SIGN_NINF : -1;
  if (specialSign >= 0) return header(0, 0, specialSign, 0);
  const m = NUMERIC_TEXT.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`not a decimal number: ${JSON.stringify(text)}`);
  const negative = m[1] === '-';
  const intDigits = (m[2] ?? '').replace(/^0+/, '');
  const fracDigits = m[3] ?? '';
  const dscale = fracDigits.length;
  const intPadded = intDigits.padStart(Math.ceil(intDigits.length / 4) * 4, '0');
  const fracPadded = fracDigits.padEnd(Math.ceil(fracDigits.length / 4) * 4, '0');
  const groups: number[] = [];
  for (let i = 0; i < intPadded.length; i += 4) groups.push(Number(intPadded.slice(i, i + 4)));
  for (let i = 0; i < fracPadded.length; i += 4) groups.push(Number(fracPadded.slice(i, i + 4)));
  let weight = intPadded.length / 4 - 1;
  let start = 0;
  while (start < groups.length && groups[start] === 0) {
    start++;
    weight--;
  }
  let end = groups.length;
  while (end > start && groups[end - 1] === 0) end--;
  const digits = groups.slice(start, end);
  if (digits.length === 0) return header(0, 0, 0, dscale);
  const out = header(digits.length, weight, negative ? SIGN_NEG : 0, dscale);
  digits.forEach((d, i) => {
    out[8 + 2 * i] = d >> 8;
    out[9 + 2 * i] = d & 0xff;
  });
  return out;
}

function header(ndigits: number, weight: number, sign: number, dscale: number): Uint8Array {
  const out = new Uint8Array(8 + 2 * ndigits);
  const view = new DataView(out.buffer);
  view.setInt16(0, ndigits);
  view.setInt16(2, weight);
  view.setUint16(4, sign);
  view.setInt16(6, dscale);
  return out;
}
