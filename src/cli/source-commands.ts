/** source freshness: how old the newest row of each source table is, as dbt reports it. */
import type { Command } from 'commander';
import { describeFreshness, worstFreshness } from '../sources/freshness.ts';
import { act, commonOptions, print } from './context.ts';

const EXIT = { pass: 0, warn: 1, error: 2 } as const;
const MARK = { pass: 'PASS ', warn: 'WARN ', error: 'ERROR' } as const;

export function registerSourceCommands(program: Command): void {
  const source = program.command('source').description('the sources: read-only inputs declared in project.yaml');
  source
    .command('freshness')
    .description('the newest loaded_at_field of each source table against its warn_after / error_after; exit 0 fresh, 1 a warning, 2 an error')
    .addHelpText('after', '\nExamples:\n  strata source freshness\n  strata source freshness --json    # one object per table: age_seconds, status, thresholds')
    .action(act(async () => {
      const c = commonOptions(program);
      const { freshness } = await import('../api/source.ts');
      const results = await freshness(c);
      const worst = worstFreshness(results);
      print(c.json, results, () =>
        results.length === 0
          ? 'no source table declares loaded_at_field and freshness in project.yaml'
          : [...results.map((r) => `  ${MARK[r.status]} ${describeFreshness(r)}`), `source freshness: ${worst.toUpperCase()}`].join('\n'),
      );
      return EXIT[worst];
    }));
}
