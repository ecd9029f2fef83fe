/**
 * Draws fleet simulation results as a hand-written SVG (pure, no dependency): offered load per
 * second over time, one polyline per policy, with the capacity line, server-up marker, axes and a
 * legend.
 */
import type { FleetResult } from './fleet.js';

/** Options for {@link renderFleetSvg}. */
export interface FleetSvgOptions {
  /** Title drawn above the plot. @default a description of the scenario */
  title?: string;
  /** Last second shown. @default a little after the last agent is back */
  untilSeconds?: number;
  /** Picture size in px. @default 800 × 400 */
  width?: number;
  height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#17becf', '#bcbd22'];

/**
 * Renders offered load (requests arriving per second) for each result on one chart.
 *
 * @example
 * const svg = renderFleetSvg([simulateFleet({ outage: '2m' }), simulateFleet({ outage: '2m', policy: fixed })]);
 */
export function renderFleetSvg(results: readonly FleetResult[], o: FleetSvgOptions = {}): string {
  const first = results[0];
  if (first === undefined) throw new RangeError('steadfast: renderFleetSvg needs at least one result');
  const width = o.width ?? 800;
  const height = o.height ?? 400;
  const m = { left: 64, right: 16, top: 36, bottom: 44 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const seconds = first.offered.length;
  const until = Math.max(1, Math.min(seconds, Math.ceil(o.untilSeconds ?? defaultUntil(results))));
  let top = first.capacity;
  for (const r of results) for (let s = 0; s < until; s++) top = Math.max(top, r.offered[s] ?? 0);
  const yMax = niceCeil(top * 1.05);
  const x = (s: number): number => m.left + (s / until) * plotW;
  const y = (v: number): number => m.top + plotH - (v / yMax) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  );
  const title =
    o.title ??
    `${first.agents} agents, ${first.failures} failures, server down ${first.outageMs / 1000}s, capacity ${first.capacity}/s`;
  parts.push(`<text x="${m.left}" y="20" font-size="14">${escape(title)}</text>`);
  // Axes and ticks.
  for (const v of ticks(yMax)) {
    parts.push(
      `<line x1="${m.left}" x2="${m.left + plotW}" y1="${f(y(v))}" y2="${f(y(v))}" stroke="#eee"/>`,
      `<text x="${m.left - 6}" y="${f(y(v) + 4)}" text-anchor="end">${v}</text>`,
    );
  }
  for (const s of ticks(until)) {
    parts.push(
      `<line x1="${f(x(s))}" x2="${f(x(s))}" y1="${m.top + plotH}" y2="${m.top + plotH + 4}" stroke="#333"/>`,
      `<text x="${f(x(s))}" y="${m.top + plotH + 18}" text-anchor="middle">${s}</text>`,
    );
  }
  parts.push(
    `<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + plotH}" stroke="#333"/>`,
    `<line x1="${m.left}" x2="${m.left + plotW}" y1="${m.top + plotH}" y2="${m.top + plotH}" stroke="#333"/>`,
    `<text x="${m.left + plotW / 2}" y="${height - 8}" text-anchor="middle">time since the outage began (s)</text>`,
    `<text transform="translate(16 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle">requests arriving per second</text>`,
  );
  // Server-up marker and capacity line.
  const up = first.outageMs / 1000;
  if (up <= until) {
    parts.push(
      `<line x1="${f(x(up))}" x2="${f(x(up))}" y1="${m.top}" y2="${m.top + plotH}" stroke="#999" stroke-dasharray="2 3"/>`,
      `<text x="${f(x(up) + 4)}" y="${m.top + 12}" fill="#666">server up</text>`,
    );
  }
  parts.push(
    `<line x1="${m.left}" x2="${m.left + plotW}" y1="${f(y(first.capacity))}" y2="${f(y(first.capacity))}" stroke="black" stroke-dasharray="6 4"/>`,
  );
  results.forEach((r, i) => {
    const points: string[] = [];
    // Each one-second bucket drawn at its middle.
    for (let s = 0; s < until; s++) points.push(`${f(x(s + 0.5))},${f(y(r.offered[s] ?? 0))}`);
    parts.push(`<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5" points="${points.join(' ')}"/>`);
  });
  // Legend, top right.
  const entries = [...results.map((r, i) => ({ label: r.policy, color: COLORS[i % COLORS.length] as string, dash: '' })), { label: `capacity ${first.capacity}/s`, color: 'black', dash: ' stroke-dasharray="6 4"' }];
  const lx = m.left + plotW - 200;
  parts.push(`<rect x="${lx - 8}" y="${m.top + 4}" width="204" height="${entries.length * 16 + 8}" fill="white" fill-opacity="0.85" stroke="#ccc"/>`);
  entries.forEach((e, i) => {
    const ly = m.top + 18 + i * 16;
    parts.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${e.color}" stroke-width="2"${e.dash}/>`,
      `<text x="${lx + 30}" y="${ly}">${escape(e.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** A little after the last agent is back; a policy that never brings them all back shows 5 minutes past server-up. */
function defaultUntil(results: readonly FleetResult[]): number {
  let last = 0;
  for (const r of results) last = Math.max(last, r.outageMs + (r.allBackMs ?? 300_000));
  return (last / 1000) * 1.25 + 10;
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(v, 1)));
  for (const k of [1, 2, 2.5, 5, 10]) if (k * p >= v) return k * p;
  return 10 * p;
}

function ticks(max: number): number[] {
  const step = niceCeil(max / 6);
  const out: number[] = [];
  for (let v = 0; v <= max + 1e-9; v += step) out.push(Math.round(v * 1000) / 1000);
  return out;
}

function f(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
