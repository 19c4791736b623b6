import assert from 'node:assert/strict';
import { join } from 'node:path';
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
