import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { csvHeader } from './csv.ts';

/** Rows are buffered into chunks of about this many UTF-16 units before they hit the stream. */
const CHUNK_CHARS = 1 << 20;

/**
 * Buffers CSV rows as one growing string and hands the stream megabyte-sized chunks,
 * so row generation never awaits I/O per row. The high-water mark lets a few chunks be in
 * flight while the next one is built; beyond that, flush() waits for 'drain'.
 */
export class CsvFileWriter {
  private buffer = '';
  private rowCount = 0;
  private failure: Error | null = null;

  private constructor(private readonly stream: WriteStream) {
    stream.on('error', (error: Error) => {
      this.failure = error;
    });
  }

  static open(path: string, columns: readonly string[]): CsvFileWriter {
    const writer = new CsvFileWriter(createWriteStream(path, { highWaterMark: 4 * CHUNK_CHARS }));
    writer.buffer = csvHeader(columns) + '\n';
    return writer;
  }

  /** `line` is one encoded row without its terminator. */
  addRow(line: string): void {
    this.buffer += line + '\n';
    this.rowCount++;
  }

  get rows(): number {
    return this.rowCount;
  }

  get needsFlush(): boolean {
    return this.buffer.length >= CHUNK_CHARS;
  }

  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.buffer.length === 0) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
  }
}
