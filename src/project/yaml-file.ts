import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Document, LineCounter } from 'yaml';
import type { Diagnostic } from '../core/errors.ts';
import { keepParsedYaml, keptParsedYaml, type ParsedYaml } from './yaml-cache.ts';

/** A parsed YAML file that can say on which line a key lives. */
export interface YamlFile {
  file: string;
  value: unknown;
  lineOf(path: readonly (string | number)[]): number | undefined;
}

/**
 * The YAML parser, loaded only for a text not parsed before (yaml-cache.ts): loading it and
 * parsing a project's YAML with it cold was ≈0.35 s of every command.
 */
const require = createRequire(import.meta.url);
export const yamlParser = (): typeof import('yaml') => require('yaml') as typeof import('yaml');

export function readYaml(file: string, displayName: string, diagnostics: Diagnostic[]): YamlFile | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    diagnostics.push({ file: displayName, message: `cannot read: ${(err as Error).message}` });
    return null;
  }
  const parsed = keptParsedYaml(text) ?? parseYaml(text, displayName, diagnostics);
  if (!parsed) return null;
  const { value, lines } = parsed;
  return {
    file: displayName,
    value,
    lineOf(path) {
      for (let i = path.length; i > 0; i--) {
        const line = lines.get(pathKey(path, i));
        if (line !== undefined) return line;
      }
      return undefined;
    },
  };
}

/**
 * Parses a text (errors go to `diagnostics`), and keeps its value and lines for the next
 * time: a change to these options or to nodeLines must bump yaml-cache.ts FORMAT.
 */
function parseYaml(text: string, displayName: string, diagnostics: Diagnostic[]): ParsedYaml | null {
  const { LineCounter, parseDocument } = yamlParser();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const pos = lineCounter.linePos(e.pos[0]);
      diagnostics.push({ file: displayName, line: pos.line, column: pos.col, message: `invalid YAML: ${e.message.split('\n')[0]}` });
    }
    return null;
  }
  const parsed = { value: doc.toJS() as unknown, lines: nodeLines(doc, lineCounter) };
  keepParsedYaml(text, parsed);
  return parsed;
}

/** The first 'n' keys of a path as one string (a key's own text cannot hold a NUL: YAML forbids it). */
function pathKey(path: readonly (string | number)[], n: number): string {
  let key = '';
  for (let i = 0; i < n; i++) key += `\0${path[i]}`;
  return key;
}

/** The line of every node of the document, by its path: what `doc.getIn(path, true)` finds, without the document. */
function nodeLines(doc: Document, counter: LineCounter): Map<string, number> {
  const { isMap, isNode, isScalar, isSeq } = yamlParser();
  const lines = new Map<string, number>();
  const walk = (node: unknown, key: string): void => {
    if (!isNode(node)) return;
    // A later duplicate key is a parse error (never kept): the first one is what getIn found.
    if (node.range && !lines.has(key)) lines.set(key, counter.linePos(node.range[0]).line);
    if (isMap(node)) for (const pair of node.items) walk(pair.value, `${key}\0${isScalar(pair.key) ? String(pair.key.value) : String(pair.key)}`);
    else if (isSeq(node)) node.items.forEach((item, i) => walk(item, `${key}\0${i}`));
  };
  walk(doc.contents, '');
  return lines;
}
