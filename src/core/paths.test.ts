import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { inside } from './paths.ts';

test('a path built from names stays inside its folder, whatever the names say', () => {
  assert.equal(inside('/p/target', 'compiled', 'gold', 'fact.sql'), '/p/target/compiled/gold/fact.sql');
  assert.equal(inside('/p/target', 'a/../b.sql'), '/p/target/b.sql');
  assert.equal(inside('/p/target', 'compiled', 'tests', '../x.sql'), '/p/target/compiled/x.sql');
  for (const evil of [['../x.sql'], ['../../etc/passwd'], ['/etc/passwd'], ['a/../../x'], ['..'], ['compiled', 'tests', '../../../x.sql']]) {
    assert.throws(() => inside('/p/target', ...evil), /refusing to write .* it is outside \/p\/target/, evil.join('/'));
  }
  assert.throws(() => inside('/p/target', '..', 'target-sibling'), /outside/);
  assert.equal(inside('relative', 'x'), join(process.cwd(), 'relative', 'x'));
});

test('plain names are joined as path.resolve would join them', () => {
  for (const segments of [['compiled', 'gold', 'fact.sql'], ['manifest.json'], ['...sql'], ['.hidden'], ['a b', 'c\u00e9.sql'], []]) {
    assert.equal(inside('/p/target', ...segments), resolve('/p/target', ...segments), segments.join('/'));
    assert.equal(inside('/', ...segments), resolve('/', ...segments), segments.join('/'));
  }
  // Names that are not plain still go through resolving and the check.
  assert.equal(inside('/p/target', 'compiled', '..'), '/p/target');
  assert.equal(inside('/p/target', 'compiled', '.'), '/p/target/compiled');
  assert.throws(() => inside('/p/target', 'compiled', '..', '..'), /outside/);
});
