import type { CompiledTest } from '../compile/types.ts';
import type { Queryable } from '../engine/engine.ts';
import { quoteIdent } from '../engine/quote.ts';
import { refMarker } from '../compile/placeholders.ts';

/**
 * Decides the single-model tests of a model in one scan of it instead of one scan each
 * (fact_reviews has 13 such tests, silver_reviews 11). The first test of a model to run
 * starts the scan; the others wait for it. A test the scan clears passes as it is; a test it
 * finds failing (or any test, when the scan itself fails) runs its own query, which counts
 * and keeps its failing rows exactly as before.
 */
export class SharedScans {
  private readonly byModel = new Map<string, CompiledTest[]>();
  private readonly scans = new Map<string, Promise<Map<string, boolean> | null>>();

  /**
   * `resolve` turns placeholder SQL (refs) into runnable SQL, as for the tests' own queries.
   * Only models with two or more such tests share a scan: one test alone keeps its query.
   */
  constructor(
    private readonly db: Queryable,
    tests: readonly CompiledTest[],
    private readonly resolve: (placeholderSql: string) => string,
  ) {
    for (const t of tests) {
      if (!t.failsWhen || !t.model || t.refs.length !== 1 || t.refs[0] !== t.model) continue;
      const list = this.byModel.get(t.model) ?? [];
      list.push(t);
      this.byModel.set(t.model, list);
    }
    for (const [model, list] of this.byModel) if (list.length < 2) this.byModel.delete(model);
  }

  /** false: the shared scan found no failing row for this test; true or undefined: run its own query. */
  async fails(test: CompiledTest): Promise<boolean | undefined> {
    const model = test.model;
    if (!model || !this.byModel.get(model)?.includes(test)) return undefined;
    let scan = this.scans.get(model);
    if (!scan) {
      scan = this.scan(model);
      this.scans.set(model, scan);
    }
    return (await scan)?.get(test.name);
  }

  private async scan(model: string): Promise<Map<string, boolean> | null> {
    const tests = this.byModel.get(model)!;
    const columns = tests.map((t, i) => `${this.resolve(t.failsWhen!)} as ${quoteIdent(`t${i}`)}`);
    try {
      const { rows } = await this.db.query<Record<string, boolean>>(`select\n  ${columns.join(',\n  ')}\nfrom ${this.resolve(refMarker(model))}`);
      return new Map(tests.map((t, i) => [t.name, rows[0]![`t${i}`] === true]));
    } catch {
      // e.g. one test's expression does not compile: each test's own query reports its error.
      return null;
    }
  }
}
