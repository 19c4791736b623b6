/**
 * PostgreSQL's parser counts positions in its own units: node `location`s are byte offsets
 * into the UTF-8 text, and a syntax error's cursor is a character (code point) offset.
 * JavaScript strings index UTF-16 units. These convert both to string indexes; for pure
 * ASCII text (nearly every model) all three agree and nothing is computed.
 */
export interface OffsetMap {
  /** The string index of a node's `location` (a UTF-8 byte offset). */
  fromByte(byteOffset: number): number;
  /** The string index of a syntax error's cursor (a code point offset). */
  fromCodePoint(codePointOffset: number): number;
}

const NON_ASCII = /[^\0-\x7f]/;

export function offsetMap(text: string): OffsetMap {
  // PostgreSQL writes -1 for "no position".
  if (!NON_ASCII.test(text)) return { fromByte: (b) => Math.max(0, b), fromCodePoint: (c) => Math.max(0, c) };
  let bytes: Uint32Array | undefined;
  let codePoints: Uint32Array | undefined;
  const build = (): void => {
    // byte (resp. code point) index → string index; one more entry for the end of text
    bytes = new Uint32Array(Buffer.byteLength(text) + 1);
    codePoints = new Uint32Array(text.length + 1);
    let b = 0;
    let p = 0;
    for (let i = 0; i < text.length; i++) {
      const u = text.charCodeAt(i);
      codePoints[p++] = i;
      let size = u < 0x80 ? 1 : u < 0x800 ? 2 : 3;
      if (u >= 0xd800 && u <= 0xdbff && i + 1 < text.length) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) size = 4;
      }
      for (let k = 0; k < size; k++) bytes[b++] = i;
      if (size === 4) i++;
    }
    bytes[b] = text.length;
    codePoints[p] = text.length;
    codePoints = codePoints.subarray(0, p + 1);
  };
  const clamp = (table: Uint32Array, at: number): number => table[Math.max(0, Math.min(at, table.length - 1))]!;
  return {
    fromByte(b) {
      if (!bytes) build();
      return clamp(bytes!, b);
    },
    fromCodePoint(c) {
      if (!codePoints) build();
      return clamp(codePoints!, c);
    },
  };
}

/** 1-based line and column (in UTF-16 units, as editors count them) of a string index. */
export function lineAndColumn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}
