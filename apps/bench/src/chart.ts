// Renders the bench's chart as a PNG: panels of horizontal bars on a log scale, drawn into an RGB pixel
// buffer with the built-in bitmap font, encoded with pngjs. Pure JS, no native or downloaded renderer.
import pngjs from 'pngjs';

import { GLYPH_HEIGHT, glyph, textWidth } from './font.js';

export type Rgb = readonly [number, number, number];

export interface Bar {
  label: string;
  value: number;
  color: Rgb;
  /** Text after the bar (default: the value). */
  note?: string;
}

export interface Panel {
  title: string;
  /** What the axis measures, e.g. 'W1 TRAINING STEPS PER SECOND (LOG SCALE, HIGHER IS BETTER)'. */
  axis: string;
  bars: Bar[];
  /** Vertical reference lines, e.g. PyTorch's value. */
  references?: Array<{ label: string; value: number; color: Rgb }>;
}

export interface Legend {
  label: string;
  color: Rgb;
}

export interface ChartSpec {
  title: string;
  subtitle?: string;
  panels: Panel[];
  legend?: Legend[];
  width?: number;
}

export const COLORS = {
  ink: [33, 37, 41] as Rgb,
  grid: [222, 226, 230] as Rgb,
  faint: [120, 125, 130] as Rgb,
  native: [31, 119, 180] as Rgb,
  wasm: [44, 160, 44] as Rgb,
  wasmStock: [152, 223, 138] as Rgb,
  cpu: [127, 127, 127] as Rgb,
  webgl: [148, 103, 189] as Rgb,
  webgpu: [140, 86, 75] as Rgb,
  chromiumWasm: [23, 190, 207] as Rgb,
  pytorch: [238, 76, 44] as Rgb,
  tensorflow: [255, 153, 0] as Rgb,
} as const;

class Canvas {
  readonly data: Buffer;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = Buffer.alloc(width * height * 4, 255);
  }

  rect(x: number, y: number, w: number, h: number, color: Rgb): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let py = y0; py < y1; py++) {
      for (let px = x0; px < x1; px++) {
        const i = (py * this.width + px) * 4;
        this.data[i] = color[0];
        this.data[i + 1] = color[1];
        this.data[i + 2] = color[2];
        this.data[i + 3] = 255;
      }
    }
  }

  text(text: string, x: number, y: number, scale: number, color: Rgb): void {
    let cx = Math.round(x);
    for (const ch of text) {
      glyph(ch).forEach((row, gy) =>
        row.forEach((on, gx) => {
          if (on) this.rect(cx + gx * scale, y + gy * scale, scale, scale, color);
        }),
      );
      cx += 6 * scale;
    }
  }

  dashedVLine(x: number, y0: number, y1: number, color: Rgb): void {
    for (let y = y0; y < y1; y += 6) this.rect(x, y, 2, Math.min(3, y1 - y), color);
  }
}

const SCALE = 2;
const LINE = GLYPH_HEIGHT * SCALE;
const BAR_H = 20;
const BAR_GAP = 6;

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) ticks.push(10 ** e);
  return ticks;
}

function tickLabel(v: number): string {
  return v >= 1 ? String(v) : v.toString();
}

function panelHeight(panel: Panel): number {
  return LINE + 12 + panel.bars.length * (BAR_H + BAR_GAP) + 12 + LINE + 10 + (panel.references?.length ? LINE + 8 : 0) + 24;
}

function legendRowCount(legend: readonly Legend[], width: number): number {
  let rows = legend.length ? 1 : 0;
  let x = 20;
  for (const item of legend) {
    const w = LINE + 6 + textWidth(item.label, SCALE) + 24;
    if (x + w > width - 10 && x > 20) {
      rows++;
      x = 20;
    }
    x += w;
  }
  return rows;
}

/** Draws the chart and returns the PNG bytes. */
export function renderChart(spec: ChartSpec): Buffer {
  const width = spec.width ?? 1200;
  const legendH = spec.legend?.length ? LINE + 16 : 0;
  const legendRows = legendRowCount(spec.legend ?? [], width);
  const header = 16 + LINE * 1.5 + (spec.subtitle ? LINE + 8 : 0) + 16 + legendH + Math.max(0, legendRows - 1) * (LINE + 8);
  const height = Math.round(header + spec.panels.reduce((h, p) => h + panelHeight(p), 0) + 8);
  const c = new Canvas(width, height);
  c.text(spec.title, 20, 16, 3, COLORS.ink);
  let y = 16 + LINE * 1.5 + 8;
  if (spec.subtitle) {
    c.text(spec.subtitle, 20, y, SCALE, COLORS.faint);
    y += LINE + 8;
  }
  y += 8;
  if (spec.legend?.length) {
    let x = 20;
    for (const item of spec.legend) {
      const w = LINE + 6 + textWidth(item.label, SCALE) + 24;
      if (x + w > width - 10 && x > 20) {
        x = 20;
        y += LINE + 8;
      }
      c.rect(x, y, LINE, LINE, item.color);
      c.text(item.label, x + LINE + 6, y, SCALE, COLORS.ink);
      x += w;
    }
    y += legendH;
  }
  for (const panel of spec.panels) {
    drawPanel(c, panel, y, width);
    y += panelHeight(panel);
  }
  const png = new pngjs.PNG({ width, height });
  c.data.copy(png.data);
  return pngjs.PNG.sync.write(png, { colorType: 2 });
}

function drawPanel(c: Canvas, panel: Panel, top: number, width: number): void {
  c.text(panel.title, 20, top, SCALE, COLORS.ink);
  const labelW = Math.max(...panel.bars.map((b) => textWidth(b.label, SCALE)), 40) + 30;
  const notesW = Math.max(...panel.bars.map((b) => textWidth(b.note ?? '', SCALE)), 60) + 20;
  const x0 = labelW;
  const x1 = width - notesW - 10;
  const values = [...panel.bars.map((b) => b.value), ...(panel.references ?? []).map((r) => r.value)].filter((v) => v > 0 && Number.isFinite(v));
  const lo = values.length ? Math.min(...values) : 1;
  const hi = values.length ? Math.max(...values) : 10;
  const ticks = logTicks(lo, hi);
  const logMin = Math.log10(ticks[0]!);
  const logMax = Math.log10(ticks[ticks.length - 1]!);
  const xOf = (v: number): number => x0 + ((Math.log10(v) - logMin) / Math.max(logMax - logMin, 1e-9)) * (x1 - x0);
  const barsTop = top + LINE + 12;
  const barsBottom = barsTop + panel.bars.length * (BAR_H + BAR_GAP);
  for (const t of ticks) {
    const x = xOf(t);
    c.rect(x, barsTop - 4, 1, barsBottom - barsTop + 8, COLORS.grid);
    const label = tickLabel(t);
    c.text(label, x - textWidth(label, SCALE) / 2, barsBottom + 12, SCALE, COLORS.faint);
  }
  // Reference lines first, so bars and their notes stay readable on top of them.
  for (const ref of panel.references ?? []) {
    if (ref.value > 0 && Number.isFinite(ref.value)) c.dashedVLine(xOf(ref.value), barsTop - 4, barsBottom + 4, ref.color);
  }
  panel.bars.forEach((bar, i) => {
    const y = barsTop + i * (BAR_H + BAR_GAP);
    c.text(bar.label, x0 - 12 - textWidth(bar.label, SCALE), y + (BAR_H - LINE) / 2, SCALE, COLORS.ink);
    if (bar.value > 0 && Number.isFinite(bar.value)) {
      const xe = xOf(bar.value);
      c.rect(x0, y, Math.max(2, xe - x0), BAR_H, bar.color);
      const note = bar.note ?? String(bar.value);
      c.rect(xe + 4, y, textWidth(note, SCALE) + 8, BAR_H, [255, 255, 255]);
      c.text(note, xe + 8, y + (BAR_H - LINE) / 2, SCALE, COLORS.ink);
    } else {
      c.text(bar.note ?? 'N/A', x0 + 8, y + (BAR_H - LINE) / 2, SCALE, COLORS.faint);
    }
  });
  c.rect(x0, barsTop - 4, 2, barsBottom - barsTop + 8, COLORS.ink);
  let y = barsBottom + 12 + LINE + 10;
  c.text(panel.axis, x0, y, SCALE, COLORS.faint);
  if (panel.references?.length) {
    y += LINE + 8;
    let x = x0;
    for (const ref of panel.references) {
      c.dashedVLine(x + 4, y, y + LINE, ref.color);
      const label = `${ref.label}`;
      c.text(label, x + 14, y, SCALE, COLORS.ink);
      x += 14 + textWidth(label, SCALE) + 30;
    }
  }
}
