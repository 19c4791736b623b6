import { qualify } from '../engine/quote.ts';
import type { CompiledProject } from './compile.ts';

/** Where readers find a model or seed once published: `"gold"."fact_reviews"`, `"seeds"."afinn"`. */
export function publishedRelation(compiled: CompiledProject, name: string): string {
  const model = compiled.models.get(name);
  if (model) {
    const layer = compiled.project.config.layers.find((l) => l.name === model.layer)!;
    return qualify(layer.schema, name);
  }
  const seed = compiled.seeds.get(name);
  if (seed) return qualify(seed.schema, name);
  throw new Error(`no model or seed named ${name}`);
}
