import type { Decision } from './strategy.ts';

/** Never built: inlined as a CTE into every model that refs it. */
export const ephemeralStrategy = (): Decision => ({
  action: 'skip',
  reason: 'ephemeral: inlined into the models that read it as a CTE',
  statements: [],
});
