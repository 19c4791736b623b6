/** import: a public Amazon review export → the amazon schema's CSV files for `build --seed-from`. */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ExitCode, StrataError } from '../core/errors.ts';
import { IMPORT_FORMATS, ImportFormatError, type ImportFormat } from '../import/formats.ts';
import { act, commonOptions, print } from './context.ts';
import { groupThousands } from '../core/numbers.ts';

export function registerImportCommands(program: Command): void {
  program
    .command('import')
    .description("convert a public Amazon review export (SNAP Fine Food CSV, McAuley-lab JSON lines, .gz too) into the amazon schema's CSV files, for `build --seed-from DIR`")
    .argument('<file>', 'the export: reviews.csv (SNAP), *.json / *.jsonl (McAuley lab), optionally gzipped')
    .requiredOption('--out <dir>', 'directory for buyer.csv, product.csv, review.csv, review_image.csv')
    .addOption(new Option('--format <format>', 'the export format (default: detected from the first bytes)').choices([...IMPORT_FORMATS]))
    .option('--category <label>', "category of every product (default: 'Grocery & Gourmet Food' for SNAP Fine Food, else 'Uncategorized')")
    .addHelpText('after', `
Examples:
  strata import ../shared/external/amazon_fine_food/reviews.csv --out /tmp/fine-food
  strata build --seed-from /tmp/fine-food
  strata import Electronics_5.json.gz --out /tmp/electronics --category Electronics

A record that cannot become a review (malformed line, no product, no reviewer, no rating,
no time) is counted and reported by reason with its line; the import goes on. Exit 0 when
at least one review was kept, 1 when none was, 2 on a usage error or an unreadable header.`)
    .action(act(async (file: string, o: { out: string; format?: ImportFormat; category?: string }) => {
      const c = commonOptions(program);
      try {
        const { importReviews } = await import('../import/index.ts');
        const s = await importReviews({
          file: resolve(file),
          outDir: resolve(o.out),
          ...(o.format ? { format: o.format } : {}),
          ...(o.category ? { category: o.category } : {}),
          ...(c.json ? {} : { onProgress: (n: number) => process.stderr.write(`  ${groupThousands(n)} records read…\n`) }),
        });
        const n = groupThousands;
        print(c.json, s, () => [
          `imported ${s.file} (${s.format}) in ${s.seconds}s: ${n(s.read)} records read, ${n(s.kept)} kept, ${n(s.rejected)} rejected`,
          ...Object.entries(s.rejectedByReason).map(([reason, count]) => `  rejected ${reason}: ${n(count)}`),
          ...s.examples.slice(0, 5).map((e) => `    line ${e.line}: ${e.reason} — ${e.detail}`),
          `wrote ${s.outDir}: ${n(s.written.buyers)} buyers, ${n(s.written.products)} products, ${n(s.written.reviews)} reviews, ${n(s.written.images)} images`,
          `next: strata build --seed-from ${s.outDir}`,
        ].join('\n'));
        return s.kept > 0 ? ExitCode.ok : ExitCode.failed;
      } catch (err) {
        if (err instanceof ImportFormatError) throw new StrataError(err.message, ExitCode.usage);
        throw err;
      }
    }));
}
