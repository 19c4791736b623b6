import type { Random } from './random.ts';
import type { ReviewSubject } from './review-text.ts';
import { WeightedSampler } from './distributions.ts';
import { csvNullable, csvText } from './csv.ts';
import { formatTimestamp, utcMicros } from './time.ts';
import { CsvFileWriter } from './writer.ts';
import { BRANDS, CATEGORIES, TITLE_VARIANTS } from './catalog-vocabulary.ts';

export const PRODUCT_COLUMNS = ['product_id', 'title', 'brand', 'category', 'price', 'created_at'] as const;

/** What reviews need to know about products. */
export interface ProductPool {
  readonly ids: readonly string[];
  readonly createdAt: Float64Array;
  /** Standard-normal product quality: good products collect better ratings. */
  readonly quality: Float64Array;
  readonly subjects: readonly ReviewSubject[];
}

const LISTED_FROM = utcMicros(2018, 1, 1);
const LISTED_UNTIL = utcMicros(2025, 6, 30);
const ASIN_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const categorySampler = new WeightedSampler(CATEGORIES.map((category) => category.weight));

export async function writeProducts(path: string, count: number, random: Random): Promise<{ pool: ProductPool; rows: number }> {
  const writer = CsvFileWriter.open(path, PRODUCT_COLUMNS);
  const ids: string[] = [];
  const subjects: ReviewSubject[] = [];
  const createdAt = new Float64Array(count);
  const quality = new Float64Array(count);
  const usedIds = new Set<string>();
  for (let index = 0; index < count; index++) {
    const productId = drawUniqueAsin(random, usedIds);
    const category = CATEGORIES[categorySampler.sample(random)] ?? CATEGORIES[0]!;
    const noun = random.pick(category.nouns);
    const brand = random.chance(0.05) ? null : random.pick(BRANDS);
    const title = `${brand === null ? '' : brand + ' '}${random.pick(category.features)} ${titleCase(noun)}${random.pick(TITLE_VARIANTS)}`;
    const price = random.chance(0.02) ? null : formatPrice(random.logNormal(Math.log(category.medianPrice), 0.7), random);
    const created = Math.floor(LISTED_FROM + random.next() * (LISTED_UNTIL - LISTED_FROM));

    ids.push(productId);
    subjects.push({ noun, brand });
    createdAt[index] = created;
    quality[index] = random.normal();

    writer.addRow(
      `${productId},${csvText(title)},${csvText(brand)},${csvText(messyCategoryLabel(category.label, random))},${csvNullable(price)},${formatTimestamp(created)}`,
    );
    if (writer.needsFlush) await writer.flush();
  }
  await writer.close();
  return { pool: { ids, createdAt, quality, subjects }, rows: writer.rows };
}

/**
 * Category labels as sellers type them: mostly clean, sometimes lower/upper-cased, padded
 * or with doubled spaces. Every variant normalises back with trim + lower + collapsed spaces.
 */
function messyCategoryLabel(label: string, random: Random): string {
  const roll = random.next();
  if (roll < 0.7) return label;
  if (roll < 0.78) return ' ' + label.toLowerCase();
  if (roll < 0.85) return label.toUpperCase() + ' ';
  if (roll < 0.93) return label.toLowerCase().replaceAll(' ', '  ');
  return '  ' + label + '  ';
}

/** Amazon-style ASIN: 'B0' + 8 upper-case alphanumerics. */
function drawUniqueAsin(random: Random, used: Set<string>): string {
  for (;;) {
    let id = 'B0';
    for (let i = 0; i < 8; i++) id += ASIN_ALPHABET.charAt(random.int(ASIN_ALPHABET.length));
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
}

/** numeric(10,2) text; most prices end in .99 or .49, as shops price them. */
function formatPrice(amount: number, random: Random): string {
  const whole = Math.floor(amount);
  const roll = random.next();
  const cents = roll < 0.6 ? 99 : roll < 0.75 ? 49 : random.int(100);
  return `${whole}.${cents < 10 ? '0' + cents : cents}`;
}

function titleCase(words: string): string {
  return words.replace(/\b[a-z]/g, (letter) => letter.toUpperCase());
}
