/**
 * Flag values checked before anything runs, and usage errors that say what is valid.
 * Each parser throws commander's InvalidArgumentError, which becomes `error: option
 * '--threads <n>' argument '-3' is invalid. expected a whole number from 1 to 64.` and exit
 * code 2. Ranges are shared with project.yaml (src/core/ranges.ts).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { validateBatchId, validateNewBatchId } from '../batch/naming.ts';
import { RANGES, checkRange, type Range } from '../core/ranges.ts';

/** Plain decimal notation only: `12abc`, `1e3`, `0x10` and an empty string are not numbers here. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

export function numberIn(range: Range): (value: string) => number {
  return (value) => {
    const n = DECIMAL.test(value.trim()) ? Number(value) : Number.NaN;
    const problem = checkRange(n, range);
    if (problem) throw new InvalidArgumentError(`${problem}.`);
    return n;
  };
}

export function oneOf<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(allowed as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}.`);
    return value as T;
  };
}

/** `a,b,c` → ['a', 'b', 'c']; an empty item (`a,,b`, a trailing comma) is a mistake. */
export function commaList(value: string): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new InvalidArgumentError('expected a comma-separated list without empty items.');
  return items;
}

export function batchIdFlag(value: string): string {
  const problem = validateBatchId(value);
  if (problem) throw new InvalidArgumentError(`${problem}.`);
  return value;
}

/** The id a new batch gets (`build`/`run --batch-id`): the strict alphabet. */
export function newBatchIdFlag(value: string): string {
  const problem = validateNewBatchId(value);
  if (problem) throw new InvalidArgumentError(`${problem}.`);
  return value;
}

/** The parsers of the flags several commands share. */
export const flag = {
  threads: numberIn(RANGES.threads),
  /** Seconds on the command line, milliseconds for the API. */
  lockTimeoutMs: (value: string): number => numberIn(RANGES.lockTimeoutSeconds)(value) * 1000,
  port: numberIn(RANGES.port),
  /** A deadline in seconds, above zero (`health --timeout`). */
  seconds: numberIn({ ...RANGES.seconds, min: 0.1 }),
  count: numberIn(RANGES.count),
  seed: numberIn(RANGES.seed),
  /** Names an existing batch (legacy ids too). */
  batchId: batchIdFlag,
  newBatchId: newBatchIdFlag,
  list: commaList,
};

const optionList = (cmd: Command): string => cmd.options.map((o) => o.flags).join(', ') || '(none)';

/**
 * Makes every command (registered before this is called) report usage errors through the
 * caller (exit code 2, not commander's own exit 1), and answer an unknown option with the
 * options it does know.
 */
export function strictCommands(program: Command): void {
  const walk = (cmd: Command, path: string): void => {
    cmd.exitOverride();
    cmd.showHelpAfterError(`(see \`${path} --help\`)`);
    cmd.configureOutput({
      outputError: (text, write) => {
        const known = /unknown option/.test(text)
          ? `valid options of \`${path}\`: ${optionList(cmd)}${cmd === program ? '' : `; before the command: ${optionList(program)}`}\n`
          : '';
        write(text + known);
      },
    });
    for (const sub of cmd.commands) walk(sub, `${path} ${sub.name()}`);
  };
  walk(program, program.name());
}
