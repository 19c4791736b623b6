/**
 * Answers already given, by request, with the batch they came from. A published batch never
 * changes, so an answer is valid for as long as its batch is the published one: the caller
 * checks that (PublishedBatchReader) before using an entry, and a newer answer replaces an
 * older one. Bounded in bytes; the least recently used entries go first.
 */
export interface CachedAnswer {
  batchId: string;
  etag: string;
  status: 200 | 404;
  /** The serialized JSON body, encoded once. */
  body: Buffer;
}

export class AnswerCache {
  private readonly entries = new Map<string, CachedAnswer>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): CachedAnswer | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      // Map order is insertion order: moving a hit to the end keeps the oldest use first.
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, answer: CachedAnswer): void {
    const size = sizeOf(key, answer);
    if (size > this.maxBytes) return;
    this.drop(key);
    this.entries.set(key, answer);
    this.bytes += size;
    for (const [oldest] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(oldest);
    }
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private drop(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.bytes -= sizeOf(key, old);
  }
}

/** Roughly what an entry holds in memory (UTF-16 strings, the body's bytes, the objects). */
const sizeOf = (key: string, a: CachedAnswer): number => a.body.length + 2 * (key.length + a.etag.length + a.batchId.length) + 200;
