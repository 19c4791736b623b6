/**
 * selectors.yml at the project root, in dbt's shape:
 *   selectors:
 *     - name: nightly
 *       description: …
 *       definition: {union: [tag:nightly, {method: path, value: models/gold, children: true}]}
 * The definitions are interpreted by the selector (graph/select.ts); here only the file's
 * shape is checked, so a typo is an error with its line, never an ignored key.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../core/errors.ts';
import { didYouMean } from '../core/suggest.ts';
import { readYaml } from './yaml-file.ts';

const KEYS = ['name', 'description', 'definition', 'default'];

/** Definitions by name; an absent file is no selectors. */
export function readSelectors(projectDir: string, diagnostics: Diagnostic[]): Record<string, { definition: unknown; description?: string }> {
  const path = join(projectDir, 'selectors.yml');
  if (!existsSync(path)) return {};
  const yaml = readYaml(path, 'selectors.yml', diagnostics);
  if (!yaml || yaml.value === null || yaml.value === undefined) return {};
  const problem = (p: (string | number)[], message: string): void => {
    diagnostics.push({ file: 'selectors.yml', line: yaml.lineOf(p), key: p.join('.'), message });
  };
  const root = yaml.value as Record<string, unknown>;
  for (const k of Object.keys(root)) if (k !== 'selectors') problem([k], `unknown key${didYouMean(k, ['selectors'])} (selectors.yml holds \`selectors:\`)`);
  const out: Record<string, { definition: unknown; description?: string }> = {};
  const list = root.selectors;
  if (!Array.isArray(list)) {
    problem(['selectors'], 'expected a list of selectors, each with a name and a definition');
    return out;
  }
  list.forEach((s: unknown, i) => {
    const entry = (typeof s === 'object' && s !== null ? s : {}) as Record<string, unknown>;
    for (const k of Object.keys(entry)) if (!KEYS.includes(k)) problem(['selectors', i, k], `unknown key${didYouMean(k, KEYS)} (expected ${KEYS.join(', ')})`);
    if (typeof entry.name !== 'string' || entry.definition === undefined) {
      problem(['selectors', i], 'each selector needs a `name` and a `definition`');
      return;
    }
    if (Object.hasOwn(out, entry.name)) problem(['selectors', i, 'name'], `selector \`${entry.name}\` is defined twice`);
    out[entry.name] = { definition: entry.definition, ...(typeof entry.description === 'string' ? { description: entry.description } : {}) };
  });
  return out;
}
