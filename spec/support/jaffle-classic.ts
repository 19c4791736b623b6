/** The classic jaffle_shop port (spec/fixtures/jaffle_classic) with the shared seed files. */
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../support.ts';

export const JAFFLE_CLASSIC = join(REPO, 'spec', 'fixtures', 'jaffle_classic');
export const JAFFLE_SEEDS = join(REPO, '..', 'shared', 'external', 'jaffle_shop');

/** Completes a copy of the port: selectors.yml and the seeds from ../shared/external/jaffle_shop. */
export function withSeeds(project: string): void {
  cpSync(join(JAFFLE_CLASSIC, 'selectors.yml'), join(project, 'selectors.yml'));
  mkdirSync(join(project, 'seeds'), { recursive: true });
  for (const f of ['raw_customers.csv', 'raw_orders.csv', 'raw_payments.csv']) cpSync(join(JAFFLE_SEEDS, f), join(project, 'seeds', f));
}
