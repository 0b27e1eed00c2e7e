/**
 * The evaluation's outputs: a markdown report with the per-rule and
 * per-method tables, and an efficacy-vs-collateral scatter plot as a
 * hand-written SVG.
 */
import type { EditMeasures } from "./measure";
import type { Method } from "./methods";

export interface EvalRow extends EditMeasures {
  readonly rule: string;
  readonly edit: string;
  readonly method: Method;
  readonly ms: number;
  readonly note?: string;
}

export interface MethodSummary {
  readonly method: Method;
  readonly rules: number;
  readonly efficacy: number;
  readonly changeOutside: number;
  readonly labelChangeOutside: number;
  readonly medianMs: number;
}

/** Mean of each measure over the rules a method ran on; median time. */
export function summarise(rows: readonly EvalRow[], methods: readonly Method[]): MethodSummary[] {
  return methods
    .map((method) => {
      const own = rows.filter((r) => r.method === method);
      const mean = (f: (r: EvalRow) => number) => own.reduce((s, r) => s + f(r), 0) / Math.max(1, own.length);
      const times = own.map((r) => r.ms).sort((a, b) => a - b);
      return {
        method,
        rules: own.length,
        efficacy: mean((r) => r.efficacy),
        changeOutside: mean((r) => r.changeOutside),
        labelChangeOutside: mean((r) => r.labelChangeOutside),
        medianMs: times[Math.floor(times.length / 2)] ?? NaN,
      };
    })
    .filter((s) => s.rules > 0);
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const ms = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(0)} ms`);

export function summaryTable(summary: readonly MethodSummary[]): string {
  const lines = summary.map(
    (s) =>
      `| ${s.method} | ${s.rules} | ${pct(s.efficacy)} | ${s.changeOutside.toFixed(4)} | ` +
      `${pct(s.labelChangeOutside)} | ${ms(s.medianMs)} |`,
  );
  return [
    "| method | rules | efficacy | Δimage outside | relabelled outside | time per edit (median) |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...lines,
  ].join("\n");
}

export function ruleTable(rows: readonly EvalRow[]): string {
  const lines = rows.map(
    (r) =>
      `| ${r.rule} | ${r.edit} | ${r.method} | ${r.imagesWithPart} | ${pct(r.efficacy)} | ${r.changeInside.toFixed(4)} | ` +
      `${r.changeOutside.toFixed(4)} | ${pct(r.labelChangeOutside)} | ${ms(r.ms)} | ${r.note ?? ""} |`,
  );
  return [
    "| rule | kind | method | images with part | efficacy | Δimage inside | Δimage outside | relabelled outside | time | note |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ...lines,
  ].join("\n");
}

const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#17becf", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"];

/** Scatter plot: x = mean |Δimage| outside the part, y = efficacy; one dot per rule, a ring per method mean. */
export function scatterSvg(rows: readonly EvalRow[], summary: readonly MethodSummary[], title: string): string {
  const width = 720;
  const height = 460;
  const pad = { left: 64, right: 190, top: 36, bottom: 52 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  // Collateral spans decades (fine-tuning moves everything), so x is logarithmic.
  const xs = rows.map((r) => Math.max(1e-5, r.changeOutside));
  const lo = Math.floor(Math.log10(Math.min(1, ...xs)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(1e-5, ...xs))));
  const maxY = niceMax(Math.max(0.01, ...rows.map((r) => r.efficacy)));
  const px = (x: number) => pad.left + ((Math.log10(Math.max(1e-5, x)) - lo) / (hi - lo)) * plotW;
  const py = (y: number) => pad.top + plotH - (y / maxY) * plotH;
  const colour = (method: Method) => COLOURS[summary.findIndex((s) => s.method === method) % COLOURS.length]!;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${pad.left}" y="22" font-size="14">${escape(title)}</text>`,
  ];
  for (let e = lo; e <= hi; e++) {
    const x = px(10 ** e).toFixed(1);
    parts.push(
      `<line x1="${x}" y1="${pad.top}" x2="${x}" y2="${pad.top + plotH}" stroke="#eee"/>`,
      `<text x="${x}" y="${pad.top + plotH + 16}" text-anchor="middle">${10 ** e >= 1 ? 10 ** e : (10 ** e).toFixed(-e)}</text>`,
    );
  }
  for (let k = 0; k <= 5; k++) {
    const y = py((maxY * k) / 5).toFixed(1);
    parts.push(
      `<line x1="${pad.left}" y1="${y}" x2="${pad.left + plotW}" y2="${y}" stroke="#eee"/>`,
      `<text x="${pad.left - 6}" y="${Number(y) + 4}" text-anchor="end">${((100 * maxY * k) / 5).toFixed(0)}%</text>`,
    );
  }
  parts.push(
    `<rect x="${pad.left}" y="${pad.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text x="${pad.left + plotW / 2}" y="${height - 12}" text-anchor="middle">collateral: mean |Δimage| outside the part, held-out seeds (log scale)</text>`,
    `<text transform="translate(16 ${pad.top + plotH / 2}) rotate(-90)" text-anchor="middle">efficacy: part pixels that became the target</text>`,
  );
  for (const r of rows) {
    parts.push(
      `<circle cx="${px(r.changeOutside).toFixed(1)}" cy="${py(r.efficacy).toFixed(1)}" r="3.5" fill="${colour(r.method)}" fill-opacity="0.6" data-rule="${escape(r.rule)}"/>`,
    );
  }
  summary.forEach((s, k) => {
    const c = colour(s.method);
    parts.push(
      `<circle cx="${px(s.changeOutside).toFixed(1)}" cy="${py(s.efficacy).toFixed(1)}" r="8" fill="none" stroke="${c}" stroke-width="2.5"/>`,
      `<circle cx="${width - pad.right + 18}" cy="${pad.top + 10 + k * 20}" r="6" fill="none" stroke="${c}" stroke-width="2.5"/>`,
      `<text x="${width - pad.right + 30}" y="${pad.top + 14 + k * 20}">${escape(s.method)}</text>`,
    );
  });
  parts.push(
    `<text x="${width - pad.right + 12}" y="${pad.top + 24 + summary.length * 20}" fill="#555">dots: one rule; rings: mean</text>`,
    "</svg>",
  );
  return `${parts.join("\n")}\n`;
}

function niceMax(x: number): number {
  const step = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (x * 1.05 <= m * step) return m * step;
  return 10 * step;
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
