import type { Random } from './random.ts';
import { WeightedSampler } from './distributions.ts';
import { csvNullable } from './csv.ts';
import { formatTimestamp, MICROS_PER_SECOND } from './time.ts';
import type { CsvFileWriter } from './writer.ts';

export const REVIEW_IMAGE_COLUMNS = ['image_id', 'review_id', 'url', 'width', 'height', 'created_at'] as const;

export const FIRST_IMAGE_ID = 500_000_000;
const PHOTO_SIZES: readonly (readonly [number, number])[] = [
  [1600, 1200], [1200, 1600], [1080, 1080], [4032, 3024], [3024, 4032], [800, 600], [640, 480], [1920, 1080],
];
// 1 to 4 photos per illustrated review, mostly one.
const photoCountSampler = new WeightedSampler([50, 25, 15, 10]);

/** Long reviews come with photos more often; about 8% of reviews overall. */
export function drawImageCount(random: Random, bodyLength: number): number {
  const chance = 0.06 + 0.15 * Math.min(1, bodyLength / 1200);
  return random.chance(chance) ? photoCountSampler.sample(random) + 1 : 0;
}

/** Writes the image rows of one review; ids continue from `nextImageId`. Returns the next free id. */
export function writeReviewImages(
  writer: CsvFileWriter,
  random: Random,
  review: { readonly reviewId: number; readonly createdAt: number; readonly imageCount: number },
  nextImageId: number,
): number {
  let imageId = nextImageId;
  for (let n = 1; n <= review.imageCount; n++) {
    // Some uploads never had their dimensions probed.
    const size = random.chance(0.04) ? null : random.pick(PHOTO_SIZES);
    const uploadedAt = review.createdAt + random.int(120 * MICROS_PER_SECOND);
    writer.addRow(
      `${imageId},${review.reviewId},https://images.example.com/r/${review.reviewId}/${n}.jpg,${csvNullable(size?.[0] ?? null)},${csvNullable(size?.[1] ?? null)},${formatTimestamp(uploadedAt)}`,
    );
    imageId++;
  }
  return imageId;
}
