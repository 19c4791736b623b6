import type { Random } from './random.ts';

/**
 * Draws an index with probability proportional to its weight, by binary search over
 * cumulative weights: O(log n) per draw, which keeps a million draws over 250k buyers cheap.
 */
export class WeightedSampler {
  private readonly cumulative: Float64Array;

  constructor(weights: ArrayLike<number>) {
    if (weights.length === 0) throw new Error('WeightedSampler needs at least one weight');
    this.cumulative = new Float64Array(weights.length);
    let total = 0;
    for (let i = 0; i < weights.length; i++) {
      total += weights[i] as number;
      this.cumulative[i] = total;
    }
  }

  sample(random: Random): number {
    const cumulative = this.cumulative;
    const target = random.next() * (cumulative[cumulative.length - 1] as number);
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cumulative[middle] as number) > target) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}

/**
 * Zipf–Mandelbrot popularity over n items: weight(rank) = 1 / (rank + offset)^exponent.
 * Ranks are assigned to items in a shuffled order so popularity is not tied to id order.
 */
export class ZipfSampler {
  private readonly ranks: WeightedSampler;
  private readonly itemByRank: Uint32Array;

  constructor(itemCount: number, exponent: number, offset: number, random: Random) {
    const weights = new Float64Array(itemCount);
    for (let rank = 0; rank < itemCount; rank++) weights[rank] = 1 / Math.pow(rank + 1 + offset, exponent);
    this.ranks = new WeightedSampler(weights);
    this.itemByRank = shuffledIndexes(itemCount, random);
  }

  sample(random: Random): number {
    return this.itemByRank[this.ranks.sample(random)] as number;
  }

  /** Popularity rank (0 = most popular) of every item, indexed by item. */
  rankOfItems(): Uint32Array {
    const rankOfItem = new Uint32Array(this.itemByRank.length);
    for (let rank = 0; rank < this.itemByRank.length; rank++) rankOfItem[this.itemByRank[rank] as number] = rank;
    return rankOfItem;
  }
}

export function shuffledIndexes(count: number, random: Random): Uint32Array {
  const indexes = new Uint32Array(count);
  for (let i = 0; i < count; i++) indexes[i] = i;
  for (let i = count - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const swap = indexes[i] as number;
    indexes[i] = indexes[j] as number;
    indexes[j] = swap;
  }
  return indexes;
}

/** Binomial(trials, probability): exact for small counts, normal approximation beyond. */
export function binomial(random: Random, trials: number, probability: number): number {
  if (trials <= 40) {
    let successes = 0;
    for (let i = 0; i < trials; i++) if (random.next() < probability) successes++;
    return successes;
  }
  const mean = trials * probability;
  const deviation = Math.sqrt(mean * (1 - probability));
  return Math.min(trials, Math.max(0, Math.round(mean + deviation * random.normal())));
}
