// Turns collected measurements into results.json's summary, the Markdown report and the chart spec.
// Pure functions of the data (unit-tested on made-up numbers).
import { COLORS, type ChartSpec, type Panel, type Rgb } from './chart.js';
import { summarizeCompile, type CompileRecord, type CompileSummary } from './compile-info.js';
import { fmt, fmtMB, fmtRatio, markdownTable } from './format.js';
import { median, noiseVerdict, perSecond, speedRatio, summarizeRounds, type Summary } from './stats.js';

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
  /** Trainer path with a compile setting: one record per round (what tracing cost, or why it fell back). */
  compileRounds?: Array<CompileRecord | null>;
  /** The first step's wall time per round, kept out of `rounds`. */
  firstStepRounds?: number[];
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
  byImpl: Record<string, VariantCell>;
}

export interface VariantCell {
  stepRounds: number[][];
  encodeRounds: number[][];
  compileRounds?: Array<CompileRecord | null>;
  firstStepRounds?: number[];
  error?: string;
}

export interface W1Row {
  impl: ImplInfo;
  path: string;
  step: Summary;
  encode: Summary;
  kernels: number | null;
  peakBytes: number | null;
  maxRssBytes: number | null;
  /** Speed ratio to the PyTorch reference; NaN when it is missing or noisy (`refs` says which). */
  xPyTorch: number;
  xTensorFlow: number;
  encodeXPyTorch: number;
  encodeXTensorFlow: number;
  refs: References;
  /** The trainer path's compile costs over rounds, or why it ran eagerly; null when compile was off. */
  compile: CompileSummary | null;
  /** Median over rounds of the first step's wall time (trace and compile included where there are any). */
  firstStepMs: number;
}

/** The reference implementations every figure is divided by. */
export const REFERENCE_IDS = { pytorch: 'pytorch', tensorflow: 'tensorflow' } as const;

/** A reference's step and encode medians; `noisy` when its steps fail the noise rule (stats.ts). */
export interface Reference {
  id: string | null;
  step: number;
  encode: number;
  noisy: boolean;
}

export interface References {
  pytorch: Reference;
  tensorflow: Reference;
}

const NO_REFERENCE: Reference = { id: null, step: Number.NaN, encode: Number.NaN, noisy: false };

function referenceOf(c: W1Collected): Reference {
  const path = Object.values(c.paths)[0];
  const step = path ? summarizeRounds(path.rounds) : undefined;
  return {
    id: c.impl.id,
    step: step?.median ?? Number.NaN,
    encode: summarizeRounds(c.encodeRounds).median,
    noisy: step ? noiseVerdict(step).noisy : false,
  };
}

/**
 * PyTorch's reference is its fastest thread setting in this run whose rounds pass the noise rule: its
 * default (all cores) stalls when another process holds a core, and dividing by a stall would flatter
 * everything else. When every setting is noisy there is no PyTorch ratio. TensorFlow's is `tf.function`.
 */
export function references(collected: readonly W1Collected[]): References {
  const pts = collected.filter((c) => c.impl.id.startsWith(REFERENCE_IDS.pytorch)).map(referenceOf).filter((r) => Number.isFinite(r.step));
  const quiet = pts.filter((r) => !r.noisy).sort((a, b) => a.step - b.step);
  const encodes = pts.map((r) => r.encode).filter(Number.isFinite);
  const pytorch: Reference = {
    ...(quiet[0] ?? { ...NO_REFERENCE, noisy: pts.length > 0 }),
    // W2's reference stays the fastest setting's encode, as before: the noise rule is about training steps.
    encode: encodes.length ? Math.min(...encodes) : Number.NaN,
  };
  const tfCollected = collected.find((c) => c.impl.id === REFERENCE_IDS.tensorflow);
  const tfRef = tfCollected ? referenceOf(tfCollected) : NO_REFERENCE;
  const tensorflow = tfRef.noisy ? { ...tfRef, step: Number.NaN } : tfRef;
  return { pytorch, tensorflow };
}

export function w1Rows(collected: readonly W1Collected[]): W1Row[] {
  const refs = references(collected);
  const pt = refs.pytorch;
  const tf = refs.tensorflow;
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
        refs,
        compile: summarizeCompile(data.compileRounds ?? [], data.firstStepRounds ?? []),
        firstStepMs: median(data.firstStepRounds ?? []),
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
    pathLabel(r),
    fmt(r.step.median),
    fmt(perSecond(r.step.median)),
    r.refs.pytorch.noisy ? 'noisy' : fmtRatio(r.xPyTorch),
    r.refs.tensorflow.noisy ? 'noisy' : fmtRatio(r.xTensorFlow),
    roundsCell(r.step),
    noiseCell(r.step),
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

/** The W1 path, and for a compiled trainer path that fell back, that it ran op by op. */
export function pathLabel(row: Pick<W1Row, 'path' | 'compile'>): string {
  return row.compile?.status === 'eager' ? `${row.path} (fell back to eager)` : row.path;
}

/** The spread of round medians: 'min–max (rounds)'. */
export function roundsCell(step: Summary): string {
  return step.rounds > 1 ? `${fmt(step.roundMin)}–${fmt(step.roundMax)} (${step.rounds})` : `${fmt(step.median)} (1)`;
}

/** Pooled IQR/median, marked when the figure fails the noise rule. */
export function noiseCell(step: Summary): string {
  if (!Number.isFinite(step.relIqr)) return '–';
  return `${Math.round(step.relIqr * 100)}%${noiseVerdict(step).noisy ? ' noisy' : ''}`;
}

export function kernelTable(kernels: ReadonlyArray<{ name: string; count: number; ms: number }>, top = 15): string {
  const total = kernels.reduce((a, k) => a + k.ms, 0);
  const count = kernels.reduce((a, k) => a + k.count, 0);
  const rows = kernels.slice(0, top).map((k) => [k.name, String(k.count), fmt(k.ms), `${Math.round((k.ms / total) * 100)}%`]);
  rows.push(['(all)', String(count), fmt(total), '100%']);
  return markdownTable(['kernel', 'launches/step', 'ms/step (in kernel)', 'share'], rows, ['left', 'right', 'right', 'right']);
}

const IMPL_COLORS: Record<string, Rgb> = {
  'native-compiled': COLORS.native,
  'native-eager': [158, 202, 225],
  'native-xla': [8, 48, 107],
  wasm: COLORS.wasm,
  'wasm-stock': COLORS.wasmStock,
  cpu: COLORS.cpu,
  'chromium-webgl': COLORS.webgl,
  'chromium-webgpu': COLORS.webgpu,
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
  // The same references as the tables: no line for one that is noisy.
  const refIds = rows[0]?.refs;
  const pt = rows.find((r) => r.impl.id === refIds?.pytorch.id && !refIds.pytorch.noisy);
  const tf = rows.find((r) => r.impl.id === refIds?.tensorflow.id && !refIds.tensorflow.noisy);
  const refs = (pick: (r: W1Row) => number): Panel['references'] =>
    [
      pt ? { label: 'PYTORCH', value: pick(pt), color: COLORS.pytorch } : undefined,
      tf ? { label: 'TENSORFLOW TF.FUNCTION', value: pick(tf), color: COLORS.tensorflow } : undefined,
    ].filter((r): r is NonNullable<typeof r> => r !== undefined);
  const trainBars = rows.map((r) => ({
    label: r.path === 'python' ? r.impl.id : `${r.impl.id} / ${r.path}`,
    value: perSecond(r.step.median),
    color: colorOf(r.impl.id),
    note: `${fmt(perSecond(r.step.median))}${Number.isFinite(r.xPyTorch) ? ` ${fmtRatio(r.xPyTorch)}` : ''}`,
  }));
  const seen = new Set<string>();
  const encodeBars = rows
    .filter((r) => (seen.has(r.impl.id) ? false : (seen.add(r.impl.id), Number.isFinite(r.encode.median))))
    .map((r) => ({ label: r.impl.id, value: r.encode.median, color: colorOf(r.impl.id), note: `${fmt(r.encode.median)} MS${Number.isFinite(r.encodeXPyTorch) ? ` ${fmtRatio(r.encodeXPyTorch)}` : ''}` }));
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
