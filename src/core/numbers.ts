/**
 * A whole number with a comma between thousands, 1000000 as 1,000,000: what
 * `toLocaleString('en-US')` writes for one, without the cost of its first call, which loads
 * ICU's number formats (25–35 ms of CPU here) — paid by every command that printed a count.
 */
export const groupThousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+$)/g, ',');
