import type { Random } from './random.ts';
import { WeightedSampler } from './distributions.ts';
import { csvNullable, csvText } from './csv.ts';
import { formatTimestamp, utcMicros } from './time.ts';
import { CsvFileWriter } from './writer.ts';
import { COUNTRIES, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, NAME_SUFFIXES } from './people-vocabulary.ts';

export const BUYER_COLUMNS = ['buyer_id', 'name', 'email', 'country', 'created_at'] as const;

/** What reviews need to know about buyers: their ids and when each account was opened. */
export interface BuyerPool {
  readonly ids: Float64Array;
  readonly createdAt: Float64Array;
}

const FIRST_BUYER_ID = 10_000_000;
const ACCOUNTS_FROM = utcMicros(2012, 1, 1);
const ACCOUNTS_UNTIL = utcMicros(2025, 6, 30);

// Email local parts are ASCII: derived once per name, not once per buyer.
const FIRST_NAME_LOCAL = FIRST_NAMES.map(toEmailLocalPart);
const LAST_NAME_LOCAL = LAST_NAMES.map(toEmailLocalPart);
const countrySampler = new WeightedSampler(COUNTRIES.map((country) => country.weight));

export async function writeBuyers(path: string, count: number, random: Random): Promise<{ pool: BuyerPool; rows: number }> {
  const writer = CsvFileWriter.open(path, BUYER_COLUMNS);
  const ids = new Float64Array(count);
  const createdAt = new Float64Array(count);
  let buyerId = FIRST_BUYER_ID;
  for (let index = 0; index < count; index++) {
    // Ids have gaps, as a sequence does after deleted accounts and rolled-back inserts.
    buyerId += random.chance(0.9) ? 1 : random.intBetween(2, 9);
    // sqrt skews sign-ups towards recent years: the shop keeps growing.
    const created = Math.floor(ACCOUNTS_FROM + Math.sqrt(random.next()) * (ACCOUNTS_UNTIL - ACCOUNTS_FROM));
    ids[index] = buyerId;
    createdAt[index] = created;

    const first = random.int(FIRST_NAMES.length);
    const last = random.int(LAST_NAMES.length);
    const suffix = random.chance(0.01) ? random.pick(NAME_SUFFIXES) : '';
    const name = `${FIRST_NAMES[first]} ${LAST_NAMES[last]}${suffix}`;
    const email = random.chance(0.12) ? null : drawEmail(random, FIRST_NAME_LOCAL[first] ?? '', LAST_NAME_LOCAL[last] ?? '');
    const country = random.chance(0.06) ? null : (COUNTRIES[countrySampler.sample(random)]?.code ?? null);

    writer.addRow(`${buyerId},${csvText(name)},${csvText(email)},${csvNullable(country)},${formatTimestamp(created)}`);
    if (writer.needsFlush) await writer.flush();
  }
  await writer.close();
  return { pool: { ids, createdAt }, rows: writer.rows };
}

function drawEmail(random: Random, first: string, last: string): string {
  const separator = random.pick(['.', '_', '']);
  const digits = random.chance(0.5) ? String(random.intBetween(1, 9999)) : '';
  const email = `${first}${separator}${last}${digits}@${random.pick(EMAIL_DOMAINS)}`;
  // Some sign-up forms never normalised case; silver has to.
  return random.chance(0.03) ? email.toUpperCase() : email;
}

function toEmailLocalPart(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
}
