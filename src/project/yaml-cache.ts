/**
 * YAML texts already parsed, kept as their value and the line of each node (V8's
 * serialization) in the node_modules that holds the parser, `.cache/strata/yaml/`, one file
 * per text, named by the sha256 of the parser's version and the text. Every command reads
 * the project's YAML; loading the parser and running it cold cost ≈0.35 s of CPU per
 * command (10 files, 46 KB), a file read and a deserialization ≈1 ms. Kept beside the
 * parser, never in target/: a forged value could change roles, grants or masking without a
 * change to project.yaml, and whoever can write node_modules can already replace the parser.
 * A text with errors is never kept (it is parsed again, to report them). Without a
 * node_modules, or where it cannot be written, every text is parsed.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { strataCacheOf, writeAtomic } from '../core/bundle-cache.mjs';
import { hexDigest } from '../core/hash.ts';

export interface ParsedYaml {
  value: unknown;
  /** Line of each node, by its path's keys, each after a NUL (yaml-file.ts pathKey). */
  lines: Map<string, number>;
}

/** Past this many kept texts (edits leave old ones behind), the folder is started again. */
const MAX_KEPT = 2000;
/** Bumped whenever what is kept changes shape. */
const FORMAT = 1;

let place: { dir: string; version: string } | null | undefined;
function where(): { dir: string; version: string } | null {
  if (place !== undefined) return place;
  try {
    const dir = strataCacheOf(import.meta.resolve('yaml'), 'yaml');
    place = dir ? { dir, version: (JSON.parse(readFileSync(fileURLToPath(import.meta.resolve('yaml/package.json')), 'utf8')) as { version: string }).version } : null;
  } catch {
    place = null;
  }
  return place;
}

const fileOf = (at: { dir: string; version: string }, text: string): string => join(at.dir, `${hexDigest('sha256', `${FORMAT}\0${at.version}\0${text}`)}.v8`);

/** Where this text's parse is kept; null when nothing is kept. */
export const keptYamlFile = (text: string): string | null => {
  const at = where();
  return at && fileOf(at, text);
};

/** The kept value and lines of this very text, if any. */
export function keptParsedYaml(text: string): ParsedYaml | undefined {
  const at = where();
  if (!at) return undefined;
  try {
    const kept = deserialize(readFileSync(fileOf(at, text))) as Partial<ParsedYaml>;
    return kept && 'value' in kept && kept.lines instanceof Map ? (kept as ParsedYaml) : undefined;
  } catch {
    return undefined; // not kept yet, or damaged: parsed again
  }
}

export function keepParsedYaml(text: string, parsed: ParsedYaml): void {
  const at = where();
  if (!at) return;
  try {
    mkdirSync(at.dir, { recursive: true, mode: 0o700 });
    if (readdirSync(at.dir).length >= MAX_KEPT) {
      rmSync(at.dir, { recursive: true, force: true });
      mkdirSync(at.dir, { recursive: true, mode: 0o700 });
    }
    // Readable by its owner only: a project.yaml kept private may hold what others must not read.
    writeAtomic(fileOf(at, text), serialize(parsed), 0o600);
  } catch {
    /* a read-only node_modules: parsed each time */
  }
}
