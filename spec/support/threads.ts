import { readdirSync, readFileSync } from 'node:fs';

/**
 * The nice value of each thread of this process, by thread id (Linux: field 19 of
 * /proc/self/task/<tid>/stat). A thread that ends between the listing and the read is left out.
 */
export function threadNiceValues(): Map<number, number> {
  const nice = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      nice.set(Number(tid), Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]));
    } catch {
      /* ended meanwhile */
    }
  }
  return nice;
}
