import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { Diagnostic } from '../core/errors.ts';

/** A parsed YAML file that can say on which line a key lives. */
export interface YamlFile {
  file: string;
  value: unknown;
  lineOf(path: readonly (string | number)[]): number | undefined;
}

export function readYaml(file: string, displayName: string, diagnostics: Diagnostic[]): YamlFile | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    diagnostics.push({ file: displayName, message: `cannot read: ${(err as Error).message}` });
    return null;
  }
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const pos = lineCounter.linePos(e.pos[0]);
      diagnostics.push({ file: displayName, line: pos.line, column: pos.col, message: `invalid YAML: ${e.message.split('\n')[0]}` });
    }
    return null;
  }
  return {
    file: displayName,
    value: doc.toJS() as unknown,
    lineOf(path) {
      for (let i = path.length; i > 0; i--) {
        const node = doc.getIn(path.slice(0, i), true);
        if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
      }
      return undefined;
    },
  };
}
