import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { isNode, LineCounter, parseDocument, stringify } from 'yaml';
import type { Diagnostic } from '../core/errors.ts';
import { keptYamlFile } from './yaml-cache.ts';
import { readYaml } from './yaml-file.ts';

const REPO = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'strata-yaml-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fileWith = (text: string): string => {
  const path = join(dir, `f${n++}.yml`);
  writeFileSync(path, text);
  return path;
};

/** What readYaml answered before it kept parses: the document itself, asked with getIn. */
function reference(text: string): { value: unknown; lineOf(path: (string | number)[]): number | undefined } {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  return {
    value: doc.toJS(),
    lineOf(path) {
      for (let i = path.length; i > 0; i--) {
        const node = doc.getIn(path.slice(0, i), true);
        if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
      }
      return undefined;
    },
  };
}

/**
 * Every path into a value, and one below each that leads nowhere. (Not a number into a
 * mapping: the document's getIn never finds a key `7` by the number 7, readYaml does.)
 */
function pathsOf(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  const out = [path, [...path, 'no such key']];
  if (Array.isArray(value)) out.push([...path, value.length]);
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...path, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...path, k]));
  return out;
}

/** Read twice: parsed, then from what was kept. Both must answer as the document does. */
function assertSameAsDocument(text: string): void {
  const want = reference(text);
  for (const round of ['parsed', 'kept']) {
    const diagnostics: Diagnostic[] = [];
    const got = readYaml(fileWith(text), 'x.yml', diagnostics)!;
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(got.value, want.value, round);
    for (const path of pathsOf(want.value)) assert.equal(got.lineOf(path), want.lineOf(path), `${round}: line of ${JSON.stringify(path)}`);
  }
}

test("the repo's and the fixtures' YAML read the same values and lines, parsed or kept", () => {
  const files = ['project.yaml', ...['models', 'api', 'spec/fixtures'].flatMap((d) =>
    (readdirSync(join(REPO, d), { recursive: true }) as string[]).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(d, f)))];
  assert.ok(files.length >= 10, files.join(', '));
  for (const f of files) assertSameAsDocument(readFileSync(join(REPO, f), 'utf8'));
});

test('any YAML document: values and lines as the document gives them, parsed or kept', () => {
  const key = fc.oneof(fc.constantFrom('name', 'models', 'columns', 'tests', '1', 'true', 'a b'), fc.string({ minLength: 1, maxLength: 6 }));
  const leaf = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double({ noNaN: false }), fc.boolean(), fc.constant(null));
  const tree = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
  })).node;
  fc.assert(
    fc.property(tree, fc.boolean(), (value, flow) => assertSameAsDocument(stringify(value, flow ? { collectionStyle: 'flow' } : {}))),
    { numRuns: 150 },
  );
});

test('a kept parse is what the next read returns; a damaged one is parsed again', () => {
  const text = `name: kept-${process.pid}-${Date.now()}\nlayers: [a]\n`;
  const first = readYaml(fileWith(text), 'p.yml', [])!;
  assert.deepEqual(first.value, { name: text.split('\n')[0]!.slice(6), layers: ['a'] });
  const kept = keptYamlFile(text);
  assert.ok(kept, 'kept beside the parser');
  assert.equal(statSync(kept).mode & 0o777, 0o600, 'readable by its owner only, whatever project.yaml holds');
  // Stands for a parse done earlier: the next read must not parse the text again.
  writeFileSync(kept, serialize({ value: { name: 'from the cache' }, lines: new Map([['\0name', 9]]) }));
  const second = readYaml(fileWith(text), 'p.yml', [])!;
  assert.deepEqual(second.value, { name: 'from the cache' });
  assert.equal(second.lineOf(['name', 'deeper']), 9);
  writeFileSync(kept, 'not a serialization');
  assert.deepEqual(readYaml(fileWith(text), 'p.yml', [])!.value, first.value);
  rmSync(kept, { force: true });
});

test('a text with errors is reported on every read and never kept', () => {
  const text = `name: [unclosed-${process.pid}\n`;
  for (let i = 0; i < 2; i++) {
    const diagnostics: Diagnostic[] = [];
    assert.equal(readYaml(fileWith(text), 'bad.yml', diagnostics), null);
    assert.equal(diagnostics[0]?.file, 'bad.yml');
    assert.match(diagnostics[0]!.message, /invalid YAML/);
  }
  assert.throws(() => readFileSync(keptYamlFile(text)!));
});
