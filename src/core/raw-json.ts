/**
 * JSON text placed verbatim where a value goes, for JSON text already in hand (Node 20 has no
 * JSON.rawJSON): `slot` gives a stand-in string to put in the value, `stringify` swaps each
 * stand-in for its text. A stand-in starts with a NUL, which no project text can hold
 * (PostgreSQL text and YAML forbid it), so nothing else in the value is taken for one.
 */
export class RawJsonSlots {
  private readonly texts: string[] = [];

  slot<T>(text: string): T {
    this.texts.push(text);
    return `\u0000raw:${this.texts.length - 1}` as unknown as T;
  }

  stringify(value: unknown): string {
    const json = JSON.stringify(value);
    return this.texts.length === 0 ? json : json.replace(/"\\u0000raw:(\d+)"/g, (_, i: string) => this.texts[Number(i)]!);
  }
}
