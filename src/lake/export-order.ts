import type { Queryable } from '../engine/engine.ts';

/**
 * The planner's estimate of the bytes `select *` returns from `relation` (rows × average row
 * width, from the statistics): a size that a view has too, unlike pg_relation_size. 0 when
 * it cannot be had; the export itself then reports what is wrong with the relation.
 */
async function estimatedBytes(db: Queryable, relation: string): Promise<number> {
  try {
    const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number; 'Plan Width': number } }] }>(
      `explain (format json) select * from ${relation}`,
    );
    const plan = rows[0]?.['QUERY PLAN'][0].Plan;
    return plan ? plan['Plan Rows'] * plan['Plan Width'] : 0;
  } catch {
    return 0;
  }
}

/**
 * Indexes of `relations` with the largest first. Lanes that each take the next table finish
 * closest together in that order (longest first): in name order a table holding half the
 * data could start last and leave the other lane idle for its whole length.
 */
export async function largestFirst(db: Queryable, relations: readonly string[]): Promise<number[]> {
  const sizes = await Promise.all(relations.map((r) => estimatedBytes(db, r)));
  return relations.map((_, i) => i).sort((a, b) => sizes[b]! - sizes[a]! || a - b);
}
