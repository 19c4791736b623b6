/**
 * How busy the whole machine is while a benchmark runs: /proc/stat sampled once a second.
 * On a shared machine this is what says whether a step left cores idle (room for more
 * overlap) or kept them all busy (only less work makes it faster).
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

const TICKS_PER_SECOND = 100;

/** [busy, total] jiffies of all CPUs together since boot (idle and iowait count as not busy). */
function jiffies(): [number, number] {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return [total - fields[3]! - fields[4]!, total];
}

export interface MachineCpu {
  /** CPU seconds spent by every process of the machine. */
  cpuSeconds: number;
  seconds: number;
  cores: number;
  /** Cores busy on average. */
  busyCores: number;
  /** Cores busy in each second. */
  timeline: number[];
}

/** Starts sampling; `stop()` returns what the machine did since. */
export function sampleMachineCpu(): { stop(): MachineCpu } {
  const cores = cpus().length;
  const start = jiffies();
  const started = performance.now();
  let last = start;
  const timeline: number[] = [];
  const timer = setInterval(() => {
    const now = jiffies();
    timeline.push(+((cores * (now[0] - last[0])) / Math.max(1, now[1] - last[1])).toFixed(2));
    last = now;
  }, 1000);
  return {
    stop() {
      clearInterval(timer);
      const end = jiffies();
      const seconds = (performance.now() - started) / 1000;
      const cpuSeconds = (end[0] - start[0]) / TICKS_PER_SECOND;
      return { cpuSeconds: +cpuSeconds.toFixed(1), seconds: +seconds.toFixed(1), cores, busyCores: +((cores * (end[0] - start[0])) / Math.max(1, end[1] - start[1])).toFixed(2), timeline };
    },
  };
}

/** The timeline in 5-second steps, e.g. `0s 1.6 | 5s 1.0 | …`. */
export function timelineText(timeline: readonly number[], step = 5): string {
  const parts: string[] = [];
  for (let i = 0; i < timeline.length; i += step) {
    const slice = timeline.slice(i, i + step);
    parts.push(`${i}s ${(slice.reduce((a, b) => a + b, 0) / slice.length).toFixed(1)}`);
  }
  return parts.join(' | ');
}
