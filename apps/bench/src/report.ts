// Turns collected measurements into results.json's summary, the Markdown report and the chart spec.
// Pure functions of the data (unit-tested on made-up numbers).
import { COLORS, type ChartSpec, type Panel, type Rgb } from './chart.js';
import { fmt, fmtMB, fmtRatio, markdownTable } from './format.js';
import { perSecond, speedRatio, summarizeRounds, type Summary } from './stats.js';

export interface ImplInfo {
  id: string;
  label: string;
  env: 'node' | 'chromium' | 'python';
  runtime: string;
}

export interface PathRounds {
  /** One array of per-step ms per round. */
  rounds: number[][];
  kernels: number | null;
  peakBytes: number | null;
}

export interface W1Collected {
  impl: ImplInfo;
  paths: Record<string, PathRounds>;
  encodeRounds: number[][];
  maxRssBytes: number | null;
  errors: string[];
  kernelTimes?: Array<{ name: string; count: number; ms: number }>;
}

export interface VariantCollected {
  className: string;
  parameters: number;
  /** Per implementation id. */
  byImpl: Record<string, { stepRounds: number[][]; encodeRounds: number[][]; error?: string }>;
}

export interface W1Row {
  impl: ImplInfo;
  path: string;
  step: Summary;
  encode: Summary;
  kernels: number | null;
  peakBytes: number | null;
  maxRssBytes: number | null;
  xPyTorch: number;
  xTensorFlow: number;
  encodeXPyTorch: number;
  encodeXTensorFlow: number;
}

/** The reference implementations every figure is divided by. */
export const REFERENCE_IDS = { pytorch: 'pytorch', tensorflow: 'tensorflow' } as const;

export function w1Rows(collected: readonly W1Collected[]): W1Row[] {
  const ref = (id: string): { step: number; encode: number } => {
    const c = collected.find((x) => x.impl.id === id);
    const path = c ? Object.values(c.paths)[0] : undefined;
    return {
      step: path ? summarizeRounds(path.rounds).median : Number.NaN,
      encode: c ? summarizeRounds(c.encodeRounds).median : Number.NaN,
    };
  };
  // PyTorch's reference is its faster thread setting in this run: its default (all cores) collapses when
  // another process holds a core, and dividing by that collapse would flatter everything else.
  const ptIds = collected.filter((c) => c.impl.id.startsWith(REFERENCE_IDS.pytorch)).map((c) => c.impl.id);
  const pt = ptIds.map(ref).reduce((best, r) => (r.step < best.step || !Number.isFinite(best.step) ? r : best), { step: Number.NaN, encode: Number.NaN });
  const ptEncode = Math.min(...ptIds.map((id) => ref(id).encode).filter(Number.isFinite));
  if (Number.isFinite(ptEncode)) pt.encode = ptEncode;
  const tf = ref(REFERENCE_IDS.tensorflow);
  const rows: W1Row[] = [];
  for (const c of collected) {
    const encode = summarizeRounds(c.encodeRounds);
    for (const [path, data] of Object.entries(c.paths)) {
      const step = summarizeRounds(data.rounds);
      rows.push({
        impl: c.impl,
        path,
        step,
        encode,
        kernels: data.kernels,
        peakBytes: data.peakBytes,
        maxRssBytes: c.maxRssBytes,
        xPyTorch: speedRatio(step.median, pt.step),
        xTensorFlow: speedRatio(step.median, tf.step),
        encodeXPyTorch: speedRatio(encode.median, pt.encode),
        encodeXTensorFlow: speedRatio(encode.median, tf.encode),
      });
    }
  }
  return rows;
}

export function w1Table(rows: readonly W1Row[]): string {
  const headers = [
    'implementation',
    'W1 path',
    'ms/step',
    'steps/s',
    'x PyTorch',
    'x TensorFlow',
    'round medians, ms',
    'noise (IQR/median)',
    'kernels/step',
    'peak tensors, MB',
    'encode 1024, ms',
    'encode x PyTorch',
    'encode x TF',
    'process RSS, MB',
  ];
  const body = rows.map((r) => [
    r.impl.label,
    r.path,
    fmt(r.step.median),
    fmt(perSecond(r.step.median)),
    fmtRatio(r.xPyTorch),
    fmtRatio(r.xTensorFlow),
    r.step.rounds > 1 ? `${fmt(r.step.roundMin)}–${fmt(r.step.roundMax)} (${r.step.rounds})` : `${fmt(r.step.median)} (1)`,
    Number.isFinite(r.step.relIqr) ? `${Math.round(r.step.relIqr * 100)}%` : '–',
    r.kernels === null ? '–' : String(r.kernels),
    fmtMB(r.peakBytes),
    fmt(r.encode.median),
    fmtRatio(r.encodeXPyTorch),
    fmtRatio(r.encodeXTensorFlow),
    fmtMB(r.maxRssBytes),
  ]);
  const align = headers.map((_, i): 'left' | 'right' => (i < 2 ? 'left' : 'right'));
  return markdownTable(headers, body, align);
}

/** Rows for variant x backend: steps/s and encode ms per backend, with the ratio to PyTorch's W1 step. */
export function variantTable(variants: readonly VariantCollected[], implLabels: ReadonlyArray<{ id: string; label: string }>, pytorchW1Ms: number): string {
  const headers = ['variant', 'params', ...implLabels.flatMap((i) => [`${i.label} steps/s (x PyTorch W1)`, `${i.label} encode ms`])];
  const body = variants.map((v) => [
    v.className,
    v.parameters ? `${(v.parameters / 1e6).toFixed(2)}M` : '–',
    ...implLabels.flatMap((i) => {
      const cell = v.byImpl[i.id];
      if (!cell) return ['–', '–'];
      if (cell.error) return [`error: ${cell.error.slice(0, 60)}`, '–'];
      const step = summarizeRounds(cell.stepRounds).median;
      const enc = summarizeRounds(cell.encodeRounds).median;
      return [`${fmt(perSecond(step))} (${fmtRatio(speedRatio(step, pytorchW1Ms))})`, fmt(enc)];
    }),
  ]);
  return markdownTable(headers, body, headers.map((_, i): 'left' | 'right' => (i < 2 ? 'left' : 'right')));
}

export function kernelTable(kernels: ReadonlyArray<{ name: string; count: number; ms: number }>, top = 15): string {
  const total = kernels.reduce((a, k) => a + k.ms, 0);
  const count = kernels.reduce((a, k) => a + k.count, 0);
  const rows = kernels.slice(0, top).map((k) => [k.name, String(k.count), fmt(k.ms), `${Math.round((k.ms / total) * 100)}%`]);
  rows.push(['(all)', String(count), fmt(total), '100%']);
  return markdownTable(['kernel', 'launches/step', 'ms/step (in kernel)', 'share'], rows, ['left', 'right', 'right', 'right']);
}

const IMPL_COLORS: Record<string, Rgb> = {
  native: COLORS.native,
  wasm: COLORS.wasm,
  'wasm-stock': COLORS.wasmStock,
  cpu: COLORS.cpu,
  'chromium-webgl': COLORS.webgl,
  'chromium-wasm': COLORS.chromiumWasm,
  pytorch: COLORS.pytorch,
  'pytorch-1t': [180, 40, 20],
  tensorflow: COLORS.tensorflow,
  'tensorflow-xla': [204, 122, 0],
};

export function colorOf(id: string): Rgb {
  return IMPL_COLORS[id] ?? COLORS.faint;
}

export function chartSpec(
  rows: readonly W1Row[],
  variants: readonly VariantCollected[],
  implLabels: ReadonlyArray<{ id: string; label: string }>,
  subtitle: string,
): ChartSpec {
  const pt = rows
    .filter((r) => r.impl.id.startsWith(REFERENCE_IDS.pytorch))
    .reduce<W1Row | undefined>((best, r) => (!best || r.step.median < best.step.median ? r : best), undefined);
  const tf = rows.find((r) => r.impl.id === REFERENCE_IDS.tensorflow);
  const refs = (pick: (r: W1Row) => number): Panel['references'] =>
    [
      pt ? { label: 'PYTORCH', value: pick(pt), color: COLORS.pytorch } : undefined,
      tf ? { label: 'TENSORFLOW TF.FUNCTION', value: pick(tf), color: COLORS.tensorflow } : undefined,
    ].filter((r): r is NonNullable<typeof r> => r !== undefined);
  const trainBars = rows.map((r) => ({
    label: r.path === 'python' ? r.impl.id : `${r.impl.id} / ${r.path}`,
    value: perSecond(r.step.median),
    color: colorOf(r.impl.id),
    note: `${fmt(perSecond(r.step.median))} ${fmtRatio(r.xPyTorch)}`,
  }));
  const seen = new Set<string>();
  const encodeBars = rows
    .filter((r) => (seen.has(r.impl.id) ? false : (seen.add(r.impl.id), Number.isFinite(r.encode.median))))
    .map((r) => ({ label: r.impl.id, value: r.encode.median, color: colorOf(r.impl.id), note: `${fmt(r.encode.median)} MS ${fmtRatio(r.encodeXPyTorch)}` }));
  const variantBars = variants.flatMap((v) =>
    implLabels
      .filter((i) => v.byImpl[i.id])
      .map((i) => {
        const cell = v.byImpl[i.id]!;
        const ms = cell.error ? Number.NaN : summarizeRounds(cell.stepRounds).median;
        return { label: `${v.className} / ${i.id}`, value: perSecond(ms), color: colorOf(i.id), note: cell.error ? 'ERROR' : fmt(perSecond(ms)) };
      }),
  );
  const panels: Panel[] = [
    {
      title: 'W1 TRAINING THROUGHPUT (MLP VAE 784-512-512-32, BATCH 128, ADAM)',
      axis: 'STEPS/S, LOG SCALE, HIGHER IS BETTER (NOTE: STEPS/S, X PYTORCH)',
      bars: trainBars,
      references: refs((r) => perSecond(r.step.median)),
    },
    {
      title: 'W2 ENCODE LATENCY (1024 EXAMPLES, MEANS ONLY)',
      axis: 'MS, LOG SCALE, LOWER IS BETTER (NOTE: MS, SPEED X PYTORCH)',
      bars: encodeBars,
      references: refs((r) => r.encode.median),
    },
  ];
  if (variantBars.length) {
    panels.push({
      title: 'EVERY VARIANT, DEFAULT CONFIG: TRAINING THROUGHPUT',
      axis: 'STEPS/S, LOG SCALE, HIGHER IS BETTER',
      bars: variantBars,
      references: (refs((r) => perSecond(r.step.median)) ?? []).slice(0, 1),
    });
  }
  const legendIds = [...new Set([...rows.map((r) => r.impl.id), ...implLabels.map((i) => i.id)])];
  const labelOf = (id: string): string => rows.find((r) => r.impl.id === id)?.impl.label ?? implLabels.find((i) => i.id === id)?.label ?? id;
  return {
    title: 'VAEKIT BENCH',
    subtitle,
    legend: legendIds.map((id) => ({ label: labelOf(id), color: colorOf(id) })),
    panels,
  };
}
