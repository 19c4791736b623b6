/**
 * The helpfulness score, on both engines, with hand-made reviews loaded through
 * `build --seed-from`: pairs of reviews that differ in one feature must rank the right way
 * round (votes by their posterior mean, substance, verified purchase, images, recency), the
 * promises on real-world abuse and fairness must hold (a word repeated 300 times and a
 * shouted advert with a link lose to a genuine review; a long balanced critique is not a
 * contradiction and beats a one-line rant), the sentiment must flag a glowing 1-star review
 * and read negations, the product page gets its top positive and top critical review, and
 * the vars must tune the score and the top-N list.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { copyProject, csv, events, runCli, targets, withEngine, type Cell, type TestTarget } from './support.ts';

const PLAIN = 'Nice kettle, it works well.';
// A genuine 63-word review, and what gaming the length looks like.
const GENUINE = 'I bought this kettle to replace an old one that started to leak. It heats a full litre in about four minutes, ' +
  'the lid opens wide and the handle stays cool. The cable is a bit short for my counter, but the base is stable. ' +
  'After two months of daily use it still looks new and the water tastes clean. Good value for the price.';
const REPEATED = Array.from({ length: 300 }, () => 'great').join(' ');
const ADVERT = 'BEST KETTLE DEALS ON THE INTERNET!!! BUY NOW AT HTTP://CHEAP-KETTLES.EXAMPLE.COM AND SAVE 70% ON EVERY ORDER, ' +
  'FREE SHIPPING WORLDWIDE, LIMITED OFFER, VISIT WWW.CHEAP-KETTLES.EXAMPLE.COM TODAY FOR THE BEST PRICES ON ALL KITCHEN ' +
  'APPLIANCES, KETTLES, TOASTERS AND MORE. THOUSANDS OF HAPPY CUSTOMERS. ORDER NOW!!!';
const BALANCED = [
  'I wanted to love this kettle. The design is beautiful, it is quiet and the handle is comfortable, and for the first two weeks it worked well.',
  'But then the lid hinge cracked, the water started to taste of plastic and the switch no longer turns off by itself, which is dangerous.',
  'Customer service was polite but slow, and the replacement had the same problem after a month. Nice to look at, but I cannot recommend it.',
].join('\n\n');
const RANT = 'Terrible. Worst kettle ever!!! Total garbage.';
const DETAILED = [
  'I have used this kettle every morning for three months. It boils a full litre in under four minutes and the handle stays cool. The water tastes clean, with no plastic smell even in the first week.',
  'The lid opens wide, so cleaning is easy. The only downside is the short cable, which limits where it can sit on the counter. The base is stable and the switch feels solid.',
  'For the price it is a good choice and I would buy it again. I also compared it with two other kettles from friends, and this one is quieter and faster.',
].join('\n\n');

interface Review {
  id: number;
  product: string;
  rating: number;
  title: string;
  body: string;
  verified?: boolean;
  helpful?: number;
  total?: number;
  created?: string;
  images?: number;
}

// One buyer per review, so no pair is mistaken for a double submit.
const REVIEWS: Review[] = [
  // Votes: 90 of 100 readers found it helpful vs 1 of 1.
  { id: 1, product: 'PVOTES', rating: 5, title: 'Works', body: PLAIN, helpful: 90, total: 100 },
  { id: 2, product: 'PVOTES', rating: 5, title: 'Works', body: PLAIN, helpful: 1, total: 1 },
  // Substance + verified: a verified, detailed review vs an unverified one-liner.
  { id: 3, product: 'PTEXT', rating: 4, title: 'Solid kettle', body: DETAILED, verified: true },
  { id: 4, product: 'PTEXT', rating: 4, title: 'Solid kettle', body: PLAIN, verified: false },
  // Images.
  { id: 5, product: 'PIMAGES', rating: 5, title: 'Works', body: PLAIN, images: 2 },
  { id: 6, product: 'PIMAGES', rating: 5, title: 'Works', body: PLAIN },
  // Recency: a month before the reference date vs four years before.
  { id: 7, product: 'PRECENT', rating: 5, title: 'Works', body: PLAIN, created: '2025-12-01T00:00:00Z' },
  { id: 8, product: 'PRECENT', rating: 5, title: 'Works', body: PLAIN, created: '2021-12-01T00:00:00Z' },
  // Sentiment against the stars.
  { id: 9, product: 'PSENT', rating: 1, title: 'Best kettle ever', body: 'Absolutely amazing kettle! I love it, the design is wonderful and it works perfectly. Best purchase ever, highly recommend.' },
  { id: 10, product: 'PSENT', rating: 1, title: 'Avoid', body: 'Terrible kettle. It broke after two days and leaked everywhere. Awful, a total waste of money.' },
  { id: 11, product: 'PSENT', rating: 5, title: 'Love it', body: 'Absolutely amazing kettle! I love it, the design is wonderful and it works perfectly.' },
  { id: 12, product: 'PSENT', rating: 5, title: 'Hmm', body: 'Not good. Not worth the money, I do not recommend it.' },
  // Equal in everything: the tie goes to the older review id, deterministically.
  { id: 13, product: 'PTIE', rating: 5, title: 'Works', body: PLAIN },
  { id: 14, product: 'PTIE', rating: 5, title: 'Works', body: PLAIN },
  // Spam: one word 300 times, and a shouted advert with links, against a genuine review.
  { id: 15, product: 'PSPAM', rating: 5, title: 'Great', body: GENUINE },
  { id: 16, product: 'PSPAM', rating: 5, title: 'Great', body: REPEATED },
  { id: 17, product: 'PSPAM', rating: 5, title: 'Great', body: ADVERT },
  // Fairness to critics: a long balanced critique names what is good; a rant does not.
  { id: 18, product: 'PCRIT', rating: 2, title: 'Pretty, but it broke', body: BALANCED },
  { id: 19, product: 'PCRIT', rating: 1, title: 'Awful', body: RANT },
  { id: 20, product: 'PCRIT', rating: 5, title: 'Love it', body: GENUINE },
  // Negation reaches past the next word.
  { id: 21, product: 'PNEG', rating: 3, title: 'Meh', body: 'Not very good, not really reliable.' },
];

function writeDataSet(dir: string): void {
  const created = '2020-01-01T00:00:00Z';
  writeFileSync(join(dir, 'buyer.csv'), csv(['buyer_id', 'name', 'email', 'country', 'created_at'],
    REVIEWS.map((r) => [1000 + r.id, `Buyer ${r.id}`, `buyer${r.id}@example.com`, 'DE', created])));
  const products = [...new Set(REVIEWS.map((r) => r.product))];
  writeFileSync(join(dir, 'product.csv'), csv(['product_id', 'title', 'brand', 'category', 'price', 'created_at'],
    products.map((p) => [p, `Kettle ${p}`, 'Acme', 'Home & Kitchen', 29.99, created])));
  writeFileSync(join(dir, 'review.csv'), csv(
    ['review_id', 'product_id', 'buyer_id', 'rating', 'title', 'body', 'verified_purchase', 'helpful_votes', 'total_votes', 'created_at', 'updated_at'],
    REVIEWS.map((r) => {
      const at = r.created ?? '2025-06-01T00:00:00Z';
      return [r.id, r.product, 1000 + r.id, r.rating, r.title, r.body, r.verified ?? true, r.helpful ?? 0, r.total ?? 0, at, at];
    }),
  ));
  const images = REVIEWS.flatMap((r) => Array.from({ length: r.images ?? 0 }, (_, i) => [r.id * 10 + i, r.id, `https://img.example.com/${r.id}/${i}.jpg`, 1024, 768, '2025-06-01T00:00:00Z'] as Cell[]));
  writeFileSync(join(dir, 'review_image.csv'), csv(['image_id', 'review_id', 'url', 'width', 'height', 'created_at'], images));
}

interface Scored {
  review_id: number;
  product_id: string;
  helpfulness_score: number;
  content_score: number;
  originality: number;
  sentiment_score: number;
  review_side: string;
  rank_in_side: number;
  votes_component: number;
  substance_component: number;
  images_component: number;
  recency_component: number;
  sentiment_component: number;
  sentiment_consistent: boolean;
  afinn_score: number;
  sentiment_label: string;
  rank_in_product: number;
}

async function scores(target: TestTarget): Promise<Map<number, Scored>> {
  const rows = await withEngine(target, async (db) => (await db.query<Record<string, unknown>>(`
    select f.review_id, f.product_id, k.helpfulness_score, k.content_score, f.originality, f.sentiment_score, k.review_side, k.rank_in_side,
           f.votes_component, f.substance_component, f.images_component,
           f.recency_component, f.sentiment_component, f.sentiment_consistent, f.afinn_score, f.sentiment_label, k.rank_in_product
    from gold.fact_reviews f join gold.review_rank k using (review_id)`)).rows);
  return new Map(rows.map((r) => {
    const s: Scored = {
      review_id: Number(r.review_id),
      product_id: String(r.product_id),
      helpfulness_score: Number(r.helpfulness_score),
      content_score: Number(r.content_score),
      originality: Number(r.originality),
      sentiment_score: Number(r.sentiment_score),
      review_side: String(r.review_side),
      rank_in_side: Number(r.rank_in_side),
      votes_component: Number(r.votes_component),
      substance_component: Number(r.substance_component),
      images_component: Number(r.images_component),
      recency_component: Number(r.recency_component),
      sentiment_component: Number(r.sentiment_component),
      sentiment_consistent: r.sentiment_consistent === true,
      afinn_score: Number(r.afinn_score),
      sentiment_label: String(r.sentiment_label),
      rank_in_product: Number(r.rank_in_product),
    };
    return [s.review_id, s];
  }));
}

function assertAbove(s: Map<number, Scored>, better: number, worse: number, why: string): void {
  const a = s.get(better)!;
  const b = s.get(worse)!;
  assert.ok(a.helpfulness_score > b.helpfulness_score, `${why}: review ${better} (${a.helpfulness_score}) should score above review ${worse} (${b.helpfulness_score})`);
  assert.ok(a.rank_in_product < b.rank_in_product, `${why}: review ${better} should rank above review ${worse}`);
}

for (const factory of targets()) {
  describe(`helpfulness scoring on ${factory.name}`, () => {
    let target: TestTarget;
    let project: string;
    let data: string;
    let scored: Map<number, Scored>;
    before(async () => {
      target = await factory.create();
      project = copyProject();
      data = mkdtempSync(join(tmpdir(), 'strata-scoring-'));
      writeDataSet(data);
      const r = await runCli(['build', '--seed-from', data], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const run = JSON.parse(readFileSync(join(project, 'target', 'run_results.json'), 'utf8')) as { results: { kind: string; name: string; status: string }[] };
      const bad = run.results.filter((x) => (x.kind === 'model' ? x.status !== 'success' : x.status === 'fail' || x.status === 'error'));
      assert.deepEqual(bad, [], 'the hand-made data set passes every data test');
      scored = await scores(target);
    });
    after(async () => {
      await target?.cleanup();
      rmSync(project, { recursive: true, force: true });
      rmSync(data, { recursive: true, force: true });
    });

    test('every review is scored between 0 and 100', () => {
      assert.equal(scored.size, REVIEWS.length);
      for (const s of scored.values()) assert.ok(s.helpfulness_score >= 0 && s.helpfulness_score <= 100, JSON.stringify(s));
    });

    test('90 of 100 helpful votes beat 1 of 1: the posterior mean, not the raw share', () => {
      assertAbove(scored, 1, 2, 'votes');
      // (helpful + 2.5 × 0.76) / (total + 2.5), the fitted prior of project.yaml.
      assert.ok(Math.abs(scored.get(1)!.votes_component - (90 + 2.5 * 0.76) / 102.5) < 0.0005, String(scored.get(1)!.votes_component));
      assert.ok(Math.abs(scored.get(2)!.votes_component - (1 + 2.5 * 0.76) / 3.5) < 0.0005, String(scored.get(2)!.votes_component));
      assert.equal(scored.get(3)!.votes_component, 0.76, 'no votes: the prior, not 0');
    });

    test('a word repeated 300 times and a shouted advert with links lose to a genuine review', () => {
      assertAbove(scored, 15, 16, 'genuine over repeated word');
      assertAbove(scored, 15, 17, 'genuine over shouted advert');
      assert.equal(scored.get(15)!.originality, 1);
      assert.ok(scored.get(16)!.originality < 0.01, `repeated word: originality ${scored.get(16)!.originality}`);
      assert.ok(scored.get(17)!.originality <= 0.0625, `advert: originality ${scored.get(17)!.originality} (shouting × two links)`);
    });

    test('a long balanced critique is not a contradiction, and beats a one-line rant', () => {
      const critique = scored.get(18)!;
      assert.equal(critique.sentiment_consistent, true, 'it names what is good, but it is a 2-star critique');
      assert.equal(critique.sentiment_component, 1);
      assertAbove(scored, 18, 19, 'balanced critique over rant');
      assert.equal(critique.review_side, 'critical');
      assert.equal(critique.rank_in_side, 1, 'the top critical review of its product');
    });

    test('a verified, detailed review beats an otherwise equal unverified one-liner', () => {
      assertAbove(scored, 3, 4, 'substance and verified purchase');
      assert.ok(scored.get(3)!.substance_component > scored.get(4)!.substance_component + 0.3);
    });

    test('images and recency count', () => {
      assertAbove(scored, 5, 6, 'images');
      assert.ok(Math.abs(scored.get(5)!.images_component - 2 / 3) < 0.001, 'two of images_cap = 3');
      assertAbove(scored, 7, 8, 'recency');
      // 31 days before the reference date with a 365-day half-life, and 4 years + 31 days.
      assert.ok(Math.abs(scored.get(7)!.recency_component - 0.5 ** (31 / 365)) < 0.001);
      assert.ok(Math.abs(scored.get(8)!.recency_component - 0.5 ** ((4 * 365 + 1 + 31) / 365)) < 0.001);
    });

    test('a 1-star review whose text is glowing is flagged sentiment_consistent = false', () => {
      const glowingOneStar = scored.get(9)!;
      assert.equal(glowingOneStar.sentiment_label, 'positive');
      assert.equal(glowingOneStar.sentiment_consistent, false);
      assert.equal(glowingOneStar.sentiment_component, 0);
      assert.equal(scored.get(10)!.sentiment_label, 'negative');
      assert.equal(scored.get(10)!.sentiment_consistent, true, 'a 1-star rant agrees with its stars');
      assert.equal(scored.get(11)!.sentiment_consistent, true, 'a 5-star rave agrees with its stars');
    });

    test('negation reaches three words: "not very good, not really reliable" reads negative', () => {
      assert.ok(scored.get(21)!.sentiment_score < 0, `sentiment ${scored.get(21)!.sentiment_score}`);
    });

    test('negations flip the sentiment: "not good, not worth it" is negative', () => {
      const negated = scored.get(12)!;
      assert.ok(negated.afinn_score < 0, `afinn_score ${negated.afinn_score}`);
      assert.equal(negated.sentiment_label, 'negative');
      assert.equal(negated.sentiment_consistent, false, 'a 5-star review that reads negative');
    });

    test('the product page gets its top positive and top critical review', async () => {
      const [p] = await withEngine(target, async (db) => (await db.query<Record<string, unknown>>(`
        select top_positive_review_id, top_critical_review_id, most_helpful_review_id from gold.dim_product where product_id = 'PCRIT'`)).rows);
      assert.equal(Number(p!.top_positive_review_id), 20);
      assert.equal(Number(p!.top_critical_review_id), 18);
      const sides = await withEngine(target, async (db) => (await db.query<Record<string, unknown>>(`
        select review_id, review_side, rank_in_side from gold.product_top_reviews where product_id = 'PCRIT' order by review_side, rank_in_side`)).rows);
      assert.deepEqual(sides.map((x) => [Number(x.review_id), x.review_side, Number(x.rank_in_side)]), [[18, 'critical', 1], [19, 'critical', 2], [20, 'positive', 1]]);
    });

    test('ties rank deterministically, and the top reviews list the best first', async () => {
      assert.equal(scored.get(13)!.helpfulness_score, scored.get(14)!.helpfulness_score);
      assert.equal(scored.get(13)!.rank_in_product, 1);
      assert.equal(scored.get(14)!.rank_in_product, 2);
      const top = await withEngine(target, async (db) => (await db.query<Record<string, unknown>>(`
        select review_id, rank_in_product, product_title, body_excerpt from gold.product_top_reviews
        where product_id = 'PVOTES' and in_top_overall order by rank_in_product`)).rows);
      assert.deepEqual(top.map((t) => Number(t.review_id)), [1, 2]);
      assert.equal(top[0]!.product_title, 'Kettle PVOTES');
      assert.equal(top[0]!.body_excerpt, PLAIN);
      const [detailed] = await withEngine(target, async (db) => (await db.query<{ body_excerpt: string }>(`
        select body_excerpt from gold.product_top_reviews where review_id = 3`)).rows);
      assert.ok(detailed!.body_excerpt.length <= 281 && detailed!.body_excerpt.endsWith('…'), detailed!.body_excerpt);
      assert.ok(!detailed!.body_excerpt.includes('\n'), 'the excerpt is one line');
      assert.ok(DETAILED.replaceAll('\n\n', ' ').startsWith(detailed!.body_excerpt.slice(0, -1)), 'cut at a word boundary');
    });

    test('vars tune the score and the top-N list; a changed var rebuilds the fact in full (--vars)', async () => {
      // No --full-refresh: strata notices that the rendered model changed (the prior is read by fact_reviews).
      const tuning = '{score_weight_votes: 0, votes_prior_strength: 5, top_n_reviews: 1}';
      const r = await runCli(
        ['run', '--select', 'fact_reviews+', '--json', '--vars', tuning],
        { projectDir: project, target },
      );
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const factEnd = events(r.stdout).find((e) => e.event === 'model_end' && e.model === 'fact_reviews');
      assert.equal(factEnd?.merged, null, JSON.stringify(factEnd));
      assert.equal(factEnd?.rows, REVIEWS.length);
      assert.match(String(factEnd?.note), /rebuilt in full: its SQL changed/);
      const tuned = await scores(target);
      assert.equal(tuned.get(1)!.helpfulness_score, tuned.get(2)!.helpfulness_score, 'without the votes weight, 90/100 and 1/1 score the same');
      assert.equal(tuned.get(3)!.helpfulness_score, scored.get(3)!.content_score, 'without votes, the score is the content score');
      const perProduct = await withEngine(target, async (db) => (await db.query<{ n: unknown }>(`
        select max(n) as n from (select count(*) as n from gold.product_top_reviews where in_top_overall group by product_id) x`)).rows);
      assert.equal(Number(perProduct[0]!.n), 1);

      // The same vars again: nothing changed, so the published table is reused, not rebuilt or merged.
      const again = await runCli(
        ['run', '--select', 'fact_reviews', '--json', '--vars', tuning],
        { projectDir: project, target },
      );
      assert.equal(again.code, 0, again.stdout + again.stderr);
      const againEnd = events(again.stdout).find((e) => e.event === 'model_end' && e.model === 'fact_reviews');
      assert.match(String(againEnd?.note), /^reused: /, JSON.stringify(againEnd));
    });
  });
}
