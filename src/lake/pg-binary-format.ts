/** Constants of Postgres' binary COPY format, shared by the decoder (export) and the encoder (restore). */

/** The 11-byte signature every binary COPY stream starts with. */
export const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** Postgres counts dates from 2000-01-01, Arrow from 1970-01-01. */
export const PG_EPOCH_DAYS = 10957;
/** The same shift in microseconds, split in 32-bit halves for carry arithmetic. */
export const PG_EPOCH_MICROS_HI = Math.floor((PG_EPOCH_DAYS * 86_400_000_000) / 4294967296);
export const PG_EPOCH_MICROS_LO = PG_EPOCH_DAYS * 86_400_000_000 - PG_EPOCH_MICROS_HI * 4294967296;

/** ±infinity of dates are stored as the int32 extremes. */
export const INT32_MAX = 0x7fffffff;
export const INT32_MIN = -0x80000000;

/** jsonb's binary form is this version byte, then the JSON text. */
export const JSONB_VERSION = 1;
