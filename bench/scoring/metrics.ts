/** The statistics the scoring harness reports: correlation, rank correlation, AUC, macro F1. */

/** Pearson's r; NaN when a series is constant (no correlation is defined). */
export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n !== y.length || n < 2) throw new RangeError(`pearson needs two equal series of 2+ values, got ${n} and ${y.length}`);
  const mx = x.reduce((a, v) => a + v, 0) / n;
  const my = y.reduce((a, v) => a + v, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx, dy = y[i]! - my;
    sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}

/** 1-based ranks, ties sharing their mean rank. */
export function ranks(x: readonly number[]): number[] {
  const order = x.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(x.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) r[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

export const spearman = (x: readonly number[], y: readonly number[]): number => pearson(ranks(x), ranks(y));

/** Area under the ROC curve of `score` for `positive` (Mann–Whitney U; ties count half). */
export function auc(score: readonly number[], positive: readonly boolean[]): number {
  const r = ranks(score);
  let sum = 0, p = 0;
  for (let i = 0; i < r.length; i++) if (positive[i]) { sum += r[i]!; p++; }
  const q = r.length - p;
  if (p === 0 || q === 0) throw new RangeError('auc needs both classes');
  return (sum - (p * (p + 1)) / 2) / (p * q);
}

/** F1 averaged over the classes of `truth` (each class weighs the same). */
export function macroF1<T>(truth: readonly T[], predicted: readonly T[]): number {
  const classes = [...new Set(truth)];
  const f1 = classes.map((c) => {
    let tp = 0, fp = 0, fn = 0;
    for (let i = 0; i < truth.length; i++) {
      if (predicted[i] === c && truth[i] === c) tp++;
      else if (predicted[i] === c) fp++;
      else if (truth[i] === c) fn++;
    }
    return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  });
  return f1.reduce((a, v) => a + v, 0) / classes.length;
}

/** A deterministic PRNG (mulberry32), so every random step of the harness is reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
