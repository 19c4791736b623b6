import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXPOSURES_BAND, bandLabel, lineageOf } from './graph.ts';
import type { Manifest } from './types.ts';

test('an API endpoint of the manifest is an exposure: in the last band, fed by the models it reads', () => {
  const manifest: Manifest = {
    project: 'p',
    layers: [{ name: 'gold', schema: 'gold' }],
    nodes: {
      dim_product: { kind: 'model', layer: 'gold', relation: 'gold.dim_product', refs: [] },
      review_detail: { kind: 'model', layer: 'gold', relation: 'gold.review_detail', refs: [] },
      'api:product_reviews': { kind: 'exposure', path: 'api/product_reviews.sql', relation: 'GET /api/products/{product_id}/reviews', refs: ['review_detail', 'dim_product'] },
    },
  };
  const lineage = lineageOf(manifest);
  const exposure = lineage.nodes.find((n) => n.id === 'api:product_reviews')!;
  assert.deepEqual([exposure.kind, exposure.band, exposure.relation], ['exposure', EXPOSURES_BAND, 'GET /api/products/{product_id}/reviews']);
  assert.deepEqual(lineage.bands.at(-1), EXPOSURES_BAND);
  assert.equal(bandLabel(EXPOSURES_BAND), 'exposures');
  assert.deepEqual(lineage.edges.filter(([, to]) => to === 'api:product_reviews').map(([from]) => from).sort(), ['dim_product', 'review_detail']);
  // Without endpoints there is no such band.
  delete manifest.nodes['api:product_reviews'];
  assert.ok(!lineageOf(manifest).bands.includes(EXPOSURES_BAND));
});
