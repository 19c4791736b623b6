// npm's postinstall: parses the project's YAML once (src/project/yaml-cache.ts keeps each
// file's parse beside the parser), so that a fresh clone's first command does not load the
// YAML parser and run it cold. It never fails the install: a file that does not parse is
// reported by the command that reads it.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readYaml } from '../src/project/yaml-file.ts';

const started = performance.now();
const root = join(import.meta.dirname, '..');
try {
  const files = ['project.yaml', 'selectors.yml', ...['models', 'api'].flatMap((dir) =>
    existsSync(join(root, dir)) ? (readdirSync(join(root, dir), { recursive: true }) as string[]).map((f) => join(dir, f)) : [])]
    .filter((f) => /\.ya?ml$/.test(f) && existsSync(join(root, f)));
  for (const f of files) readYaml(join(root, f), f, []);
  console.log(`strata: the project's YAML parsed and kept, ${files.length} files (${((performance.now() - started) / 1000).toFixed(1)}s)`);
} catch (err) {
  console.warn(`strata: the project's YAML not kept (the first command will parse it): ${err instanceof Error ? err.message : String(err)}`);
}
