/** The everyday commands dbt users reach for: ls, show, debug, init, retry. */
import { Option, type Command } from 'commander';
import type { ListedResource } from '../api/list.ts';
import { RESOURCE_TYPES, type ResourceType } from '../api/resource-types.ts';
import type { SelectionOptions } from '../api/selection.ts';
import { ExitCode } from '../core/errors.ts';
import { act, commonOptions, print } from './context.ts';
import { flag } from './options.ts';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Rows as an aligned text table, values as PostgreSQL would print them. */
function table(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const cell = (v: unknown): string => (v === null || v === undefined ? 'NULL' : v instanceof Date ? v.toISOString().replace(/T00:00:00\.000Z$/, '') : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (vals: readonly string[]): string => vals.map((v, i) => v.padEnd(widths[i]!)).join(' | ').trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('-+-'), ...cells.map(line)].join('\n');
}

export function registerDbtCommands(program: Command): void {
  program
    .command('ls')
    .alias('list')
    .description('list the sources, seeds, models, tests and exposures a selection picks; touches no database')
    .option('-s, --select <selector>', 'dbt selection syntax (see `strata build --help`; repeatable)', collect)
    .option('--exclude <selector>', 'leave these out (repeatable)', collect)
    .option('--selector <name>', 'a selection defined in selectors.yml')
    .option('--state <dir>', 'folder holding an earlier manifest.json, for state:modified')
    .addOption(new Option('--resource-type <type>', 'only this kind (repeatable)').choices(RESOURCE_TYPES).argParser((v: string, prev: string[] = []) => [...prev, v]))
    .addOption(new Option('--output <format>', 'one line per resource: its name, its path, or a JSON object').choices(['name', 'path', 'json']).default('name'))
    .addHelpText('after', `
Examples:
  strata ls                                   everything
  strata ls -s "+orders" --output path        orders and what it reads, as files
  strata ls -s state:modified --state prod/   what changed since prod's manifest
  strata ls --resource-type test -s customers the tests of one model`)
    .action(act(async (flags: SelectionOptions & { resourceType?: ResourceType[]; output: 'name' | 'path' | 'json' }) => {
      const c = commonOptions(program);
      const { listResources } = await import('../api/list.ts');
      const listed = await listResources({ ...c, ...flags, ...(flags.resourceType ? { resourceTypes: flags.resourceType } : {}) });
      const line = (r: ListedResource): string => (flags.output === 'json' ? JSON.stringify(r) : flags.output === 'path' ? r.path : r.name);
      if (listed.length === 0 && !c.json) process.stderr.write('nothing selected\n');
      else print(c.json, listed, () => listed.map(line).join('\n'));
      return ExitCode.ok;
    }));

  program
    .command('show')
    .description("preview the first rows of a model's query, or of inline SQL, against the published layers (or a kept batch); read only")
    .option('-s, --select <model>', 'the model to preview (its query, run now against what is published)')
    .option('--inline <sql>', 'a query, templated like a model: \'select * from {{ref "orders"}}\'')
    .option('--limit <n>', 'rows to show', flag.count, 5)
    .option('--batch-id <id>', 'read this kept batch instead of the published one (see `strata batches`)', flag.batchId)
    .addHelpText('after', `
Examples:
  strata show -s orders
  strata show --inline 'select status, count(*) from {{ref "orders"}} group by 1' --limit 20
  strata show -s orders --batch-id 20261122T070226Z-3f9a1c`)
    .action(act(async (flags: { select?: string; inline?: string; limit: number; batchId?: string }) => {
      const c = commonOptions(program);
      const { show } = await import('../api/show.ts');
      const r = await show({ ...c, ...(flags.select ? { model: flags.select } : {}), ...(flags.inline ? { inline: flags.inline } : {}), limit: flags.limit, ...(flags.batchId ? { batchId: flags.batchId } : {}) });
      print(c.json, r, () => `${table(r.columns, r.rows)}\n(${r.rows.length} row${r.rows.length === 1 ? '' : 's'}, batch ${r.batchId ?? 'none published'})`);
      return ExitCode.ok;
    }));

  program
    .command('debug')
    .description('check the project, the target and the connection, and say what build would run')
    .option('-s, --select <selector>', 'the selection to explain (repeatable)', collect)
    .option('--exclude <selector>', 'leave these out (repeatable)', collect)
    .addHelpText('after', '\nExample:\n  strata debug -s "tag:finance+"\nExit code: 0 all good, 1 the database cannot be used, 2 the project has errors.')
    .action(act(async (flags: SelectionOptions) => {
      const c = commonOptions(program);
      const { debug } = await import('../api/debug.ts');
      const r = await debug({ ...c, ...flags });
      print(c.json, r.checks, () => r.checks.map((x) => `${x.ok ? 'OK  ' : 'FAIL'} ${x.check.padEnd(16)} ${x.detail}`).join('\n'));
      return r.exitCode;
    }));

  program
    .command('init')
    .argument('<dir>', 'a new or empty folder')
    .option('--name <name>', 'the project name (default: the folder name)')
    .description('create a new project that builds at once on the embedded engine')
    .addHelpText('after', '\nExample:\n  strata init my_shop && strata --project-dir my_shop build')
    .action(act(async (dir: string, flags: { name?: string }) => {
      const c = commonOptions(program);
      const { initProject } = await import('../api/init.ts');
      const r = initProject(dir, flags.name);
      print(c.json, r, () => `created ${r.dir}:\n${r.files.map((f) => `  ${f}`).join('\n')}\nnext: strata --project-dir ${dir} build`);
      return ExitCode.ok;
    }));

  program
    .command('retry')
    .description('run again the models (and tests) that failed or were skipped in the last build, run or test')
    .option('--fail-fast', 'stop at the first failure')
    .addHelpText('after', '\nExample:\n  strata build || (fix the model) && strata retry')
    .action(act(async (flags: { failFast?: boolean }) => {
      const c = commonOptions(program);
      const { retry } = await import('../api/retry.ts');
      const r = await retry({ ...c, ...(flags.failFast ? { failFast: true } : {}) });
      if (r.models.length === 0) print(c.json, r, () => `nothing to retry: the last ${r.command} had no failed or skipped models or tests`);
      return r.exitCode;
    }));
}
