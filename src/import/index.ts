/**
 * `import`: a public Amazon review export → the `amazon` schema's CSV files in a
 * directory, for `build --seed-from DIR`. Streams the input (gzip too), keeps every review
 * the schema can hold, and counts what it read, kept and rejected, by reason, with the
 * first few rejected lines as examples. A bad record never stops the import.
 */
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { AmazonLayoutWriter, type LayoutCounts } from './amazon-layout.ts';
import { readFineFood } from './fine-food.ts';
import { ImportFormatError, type ImportFormat } from './formats.ts';
import { readMcAuley } from './mcauley.ts';
import type { ReadOutcome, RejectReason } from './source-review.ts';

export { ImportFormatError };

export interface ImportOptions {
  file: string;
  outDir: string;
  /** Default: detected from the first bytes (a `{` starts JSON lines). */
  format?: ImportFormat;
  /** Category of every product (the review exports carry none). */
  category?: string;
  /** Called every `progressEvery` records read. */
  onProgress?: (read: number) => void;
  progressEvery?: number;
}

export interface RejectedExample {
  line: number;
  reason: RejectReason;
  detail: string;
}

export interface ImportSummary {
  file: string;
  format: ImportFormat;
  outDir: string;
  read: number;
  kept: number;
  rejected: number;
  rejectedByReason: Partial<Record<RejectReason, number>>;
  /** The first rejected records (at most 20), with their line. */
  examples: RejectedExample[];
  written: LayoutCounts;
  seconds: number;
}

const DEFAULT_CATEGORY: Record<ImportFormat, string> = { 'fine-food': 'Grocery & Gourmet Food', mcauley: 'Uncategorized' };
const MAX_EXAMPLES = 20;

function input(file: string): Readable {
  const raw = createReadStream(file);
  return file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
}

/** JSON lines start with `{`; anything else is taken for SNAP's CSV. */
export async function detectFormat(file: string): Promise<ImportFormat> {
  if (file.endsWith('.gz')) {
    for await (const chunk of input(file)) return String(chunk).trimStart().startsWith('{') ? 'mcauley' : 'fine-food';
    return 'fine-food';
  }
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(512), 0, 512, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart().startsWith('{') ? 'mcauley' : 'fine-food';
  } finally {
    await handle.close();
  }
}

export async function importReviews(opts: ImportOptions): Promise<ImportSummary> {
  if (!existsSync(opts.file)) throw new ImportFormatError(`${opts.file}: no such file`);
  const started = performance.now();
  const format = opts.format ?? (await detectFormat(opts.file));
  await mkdir(opts.outDir, { recursive: true });
  const outcomes: AsyncIterable<ReadOutcome> = format === 'mcauley' ? readMcAuley(input(opts.file)) : readFineFood(input(opts.file), opts.file);
  const writer = AmazonLayoutWriter.open(opts.outDir, opts.category ?? DEFAULT_CATEGORY[format]);
  const summary = { read: 0, kept: 0, rejected: 0, rejectedByReason: {} as Partial<Record<RejectReason, number>>, examples: [] as RejectedExample[] };
  const every = opts.progressEvery ?? 100_000;
  for await (const o of outcomes) {
    summary.read++;
    if (o.kind === 'review') {
      summary.kept++;
      await writer.add(o.review);
    } else {
      summary.rejected++;
      summary.rejectedByReason[o.reason] = (summary.rejectedByReason[o.reason] ?? 0) + 1;
      if (summary.examples.length < MAX_EXAMPLES) summary.examples.push({ line: o.line, reason: o.reason, detail: o.detail });
    }
    if (summary.read % every === 0) opts.onProgress?.(summary.read);
  }
  const written = await writer.close();
  return { file: opts.file, format, outDir: opts.outDir, ...summary, written, seconds: Math.round(performance.now() - started) / 1000 };
}
