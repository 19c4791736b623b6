/** Small SVG charts for the docs site: run durations over recent batches, time per step. */
import { escapeHtml, formatSeconds, formatTimestamp, niceScale } from './format.ts';
import type { RunHistoryEntry } from './types.ts';

export interface RunChartOptions {
  width?: number;
  height?: number;
  /** Pipeline latency budget (seconds), drawn as a dashed line when the runs come near it. */
  budgetS?: number;
}

const round = (v: number): number => Math.round(v * 10) / 10;

/** Bars of run durations, oldest left; failed runs in red; hover shows the batch. */
export function runDurationChart(history: readonly RunHistoryEntry[], opts: RunChartOptions = {}): string {
  const width = opts.width ?? 640;
  const height = opts.height ?? 220;
  const pad = { left: 52, right: 16, top: 18, bottom: 42 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const open = `<svg id="run-duration-chart" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Run durations of the last ${history.length} runs">`;
  if (history.length === 0) {
    return `${open}<text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="chart-empty">No runs in logs/pipeline.log yet</text></svg>`;
  }
  const maxDuration = Math.max(...history.map((h) => h.durationS));
  const budget = opts.budgetS;
  const showBudget = budget !== undefined && budget > 0 && maxDuration >= budget * 0.5;
  const scale = niceScale(Math.max(maxDuration, showBudget ? budget! : 0) * 1.05);
  const yOf = (v: number): number => pad.top + plotH - (v / scale.max) * plotH;
  const slot = plotW / history.length;
  const barW = Math.max(2, Math.min(30, slot * 0.68));

  const parts: string[] = [open];
  for (let v = 0; v <= scale.max + 1e-9; v += scale.step) {
    const y = round(yOf(v));
    parts.push(`<line class="grid" x1="${pad.left}" x2="${width - pad.right}" y1="${y}" y2="${y}"/>`);
    parts.push(`<text class="axis" x="${pad.left - 8}" y="${y + 4}" text-anchor="end">${escapeHtml(axisSeconds(v, scale.step))}</text>`);
  }
  const labelEvery = Math.max(1, Math.ceil(84 / slot));
  history.forEach((h, i) => {
    const x = pad.left + slot * i + (slot - barW) / 2;
    const y = yOf(h.durationS);
    const failed = h.status !== 'success';
    const tip = `${h.command ? `${h.command} · ` : ''}${h.batchId ?? 'no batch'} · ${formatTimestamp(h.ts)} UTC · ${formatSeconds(h.durationS)} · ${h.status}`;
    parts.push(
      `<rect class="bar ${failed ? 'bar-failed' : 'bar-ok'}" x="${round(x)}" y="${round(y)}" width="${round(barW)}" height="${round(Math.max(1, pad.top + plotH - y))}" rx="2" data-batch="${escapeHtml(h.batchId ?? '')}"><title>${escapeHtml(tip)}</title></rect>`,
    );
    if ((history.length - 1 - i) % labelEvery === 0) {
      const t = formatTimestamp(h.ts);
      parts.push(
        `<text class="axis" x="${round(x + barW / 2)}" y="${height - pad.bottom + 16}" text-anchor="middle">${escapeHtml(t.slice(5, 10))}</text>` +
          `<text class="axis axis-minor" x="${round(x + barW / 2)}" y="${height - pad.bottom + 29}" text-anchor="middle">${escapeHtml(t.slice(11))}</text>`,
      );
    }
  });
  // The trend: a line through the bar tops.
  if (history.length > 1) {
    const points = history.map((h, i) => `${round(pad.left + slot * i + slot / 2)},${round(yOf(h.durationS))}`).join(' ');
    parts.push(`<polyline class="trend" points="${points}"/>`);
  }
  if (showBudget) {
    const y = round(yOf(budget!));
    parts.push(`<line class="budget" x1="${pad.left}" x2="${width - pad.right}" y1="${y}" y2="${y}"/>`);
    parts.push(`<text class="budget-label" x="${width - pad.right - 4}" y="${y - 5}" text-anchor="end">budget ${escapeHtml(String(budget))} s</text>`);
  }
  parts.push(`<line class="axis-line" x1="${pad.left}" x2="${width - pad.right}" y1="${pad.top + plotH}" y2="${pad.top + plotH}"/>`);
  parts.push('</svg>');
  return parts.join('');
}

function axisSeconds(v: number, step: number): string {
  const decimals = step >= 1 ? 0 : step >= 0.1 ? 1 : 2;
  return `${v.toFixed(decimals)} s`;
}

/** Palette of run steps, in pipeline order. */
export const STEP_ORDER = ['migrate', 'seed', 'run', 'test', 'publish', 'grants', 'export'];

/** One horizontal stacked bar (HTML, so it stretches crisply): how the last run's time split between its steps. */
export function stepTimesBar(steps: Record<string, number> | undefined): string {
  const entries = Object.entries(steps ?? {})
    .filter(([, v]) => typeof v === 'number' && v >= 0)
    .sort(([a], [b]) => rankOf(a) - rankOf(b) || a.localeCompare(b));
  const total = entries.reduce((s, [, v]) => s + v, 0);
  if (entries.length === 0 || total <= 0) return '<div id="step-times" class="stepbar empty">No step timings</div>';
  const parts = entries.map(([name, v]) => {
    const share = v / total;
    const cls = `step-${STEP_ORDER.includes(name) ? name : 'other'}`;
    const label = share >= 0.09 ? escapeHtml(name) : '';
    return `<span class="step ${cls}" style="flex-grow:${share.toFixed(4)}" title="${escapeHtml(`${name}: ${formatSeconds(v)} (${Math.round(share * 100)}%)`)}">${label}</span>`;
  });
  return `<div id="step-times" class="stepbar" role="img" aria-label="Time per step of the last run">${parts.join('')}</div>`;
}

function rankOf(step: string): number {
  const i = STEP_ORDER.indexOf(step);
  return i === -1 ? STEP_ORDER.length : i;
}
