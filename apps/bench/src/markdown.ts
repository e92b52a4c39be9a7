// results.md (also printed): the headline first, then the variants on native, then every implementation.
// A pure function of the collected data, shared by a measuring run and `--report-only`.
import { fmt, fmtRatio } from './format.js';
import { comparisonRows, comparisonTable, firstCallTable, headlineRows, headlineTable } from './headline.js';
import { NATIVE_IDS } from './plans.js';
import { kernelTable, w1Table, type W1Collected, type W1Row, type VariantCollected } from './report.js';
import { NOISE_RULE, speedRatio } from './stats.js';
import { fallbackLines, nativeVariantRows, nativeVariantTable, speedupVerdict, variantTable } from './variants-report.js';

export interface LoadInfo {
  cpus: number;
  before: readonly number[];
  after: readonly number[];
  /** The 1-minute load average as each W1 round started (absent in older results.json). */
  perRound?: readonly number[];
}

export interface ReportInput {
  quick: boolean;
  rounds: number;
  rows: readonly W1Row[];
  all: readonly W1Collected[];
  variants: readonly VariantCollected[];
  variantImpls: ReadonlyArray<{ id: string; label: string }>;
  load: LoadInfo;
  minutes: string;
}

export function loadLine(load: LoadInfo): string {
  const triple = (l: readonly number[]): string => l.map((x) => x.toFixed(1)).join('/');
  const rounds = load.perRound?.length ? `; 1-min load as each round started: ${load.perRound.map((x) => x.toFixed(1)).join(', ')}` : '';
  return `Load average (1/5/15 min) ${triple(load.before)} before, ${triple(load.after)} after, on ${load.cpus} logical cores${rounds}.`;
}

export const NOISE_RULE_TEXT =
  `A figure is **noisy** when its round medians are more than ${NOISE_RULE.maxRoundSpread}x apart (slowest over fastest, ` +
  `two or more rounds) or when the IQR of all its steps pooled is more than ${Math.round(NOISE_RULE.maxRelIqr * 100)}% of its median. ` +
  'In the headline, PyTorch with its default threads is also noisy when it is slower than its own 1-thread setting ' +
  '(its threads waited for a core). A ratio with a noisy side is printed as "noisy", not as a multiple.';

function headlineSection(input: ReportInput): string[] {
  const rows = headlineRows(input.rows);
  if (!rows.length) return [];
  return [
    '## Headline: W1 on native (eager, compiled, XLA) beside PyTorch and TensorFlow',
    '',
    loadLine(input.load),
    '',
    headlineTable(rows),
    '',
    comparisonTable(comparisonRows(rows)),
    '',
    `"x reference" is a speed ratio: above 1, the first row's steps are faster. ${NOISE_RULE_TEXT}`,
    '',
    '### First call: tracing and compiling, apart from the step times',
    '',
    firstCallTable(rows),
    '',
    'Trace = recording one eager step, finding its inputs and outputs, encoding and registering the function ' +
      '(the trainer records the step twice to check it); first call = the function\'s first run, where grappler ' +
      '(or XLA) optimizes it. The first step includes both. For the Python references the first step is ' +
      '`tf.function`\'s tracing (and XLA compile) or PyTorch\'s first eager step. Medians over rounds.',
    '',
  ];
}

function nativeVariantsSection(input: ReportInput): string[] {
  const rows = nativeVariantRows(input.variants);
  if (!rows.length) return [];
  const fallbacks = fallbackLines(rows);
  return [
    '## Every variant on native: eager, compiled and XLA steps, and the cost of tracing',
    '',
    nativeVariantTable(rows),
    '',
    speedupVerdict(rows),
    '',
    ...(fallbacks.length ? ['Fell back to op by op:', '', ...fallbacks, ''] : []),
    'Default config of each registered variant, random binary data of its input shape, batch 128, trainer path. ' +
      `"eager/compiled" = eager ms over compiled ms (above 1: compiling made the step faster). Each compile setting ` +
      `runs in its own process, the three alternating over ${input.rounds} round(s); medians of round medians, the same noise rule. ` +
      'Trace and first-call costs are medians over rounds and are not in the step times.',
    '',
  ];
}

function otherRatioLines(rows: readonly W1Row[]): string[] {
  const get = (id: string, path: string): number => rows.find((r) => r.impl.id === id && r.path === path)?.step.median ?? Number.NaN;
  const lines: string[] = [];
  const wasm = get('wasm', 'trainer');
  const stock = get('wasm-stock', 'trainer');
  if (Number.isFinite(stock) && Number.isFinite(wasm)) {
    lines.push(`- wasm matMul fix (Node, trainer path): stock ${fmt(stock)} ms/step -> fixed ${fmt(wasm)} ms/step, ${fmtRatio(speedRatio(wasm, stock))} faster.`);
  }
  const stockRaw = get('wasm-stock', 'raw');
  const wasmRaw = get('wasm', 'raw');
  if (Number.isFinite(stockRaw) && Number.isFinite(wasmRaw)) {
    lines.push(`- wasm matMul fix (Node, raw path): stock ${fmt(stockRaw)} -> fixed ${fmt(wasmRaw)} ms/step, ${fmtRatio(speedRatio(wasmRaw, stockRaw))} faster.`);
  }
  const eager = get(NATIVE_IDS.eager, 'trainer');
  if (Number.isFinite(eager) && Number.isFinite(wasm)) {
    lines.push(`- wasm (Node) vs native eager, W1 trainer: ${fmtRatio(speedRatio(wasm, eager))} of native eager's steps/s (target >= 0.5x).`);
  }
  const pt = rows[0]?.refs.pytorch;
  for (const path of ['raw', 'raw-lean']) {
    const ms = get(NATIVE_IDS.eager, path);
    if (!Number.isFinite(ms) || !pt || (!pt.noisy && !Number.isFinite(pt.step))) continue;
    lines.push(`- native eager ${path} vs PyTorch, W1 steps/s: ${pt.noisy ? 'noisy' : fmtRatio(speedRatio(ms, pt.step))}.`);
  }
  return lines;
}

export function markdown(input: ReportInput): string {
  const { rows } = input;
  const out: string[] = [];
  out.push(`# vaekit bench${input.quick ? ' (--quick)' : ''}`, '');
  out.push(
    `W1: MLP VAE 784-512-512-(32+32) / 32-512-512-784, Bernoulli, closed-form KL, Adam 1e-3, batch 128; one step = forward, ` +
      `backward, update, loss read back. W2: encode 1024 examples (means). Medians of per-round medians over ${input.rounds} ` +
      `round(s); implementations alternate (each in its own process). Native runs the trainer path three ways: ` +
      '`native-eager` (`compile: false`, op by op), `native-compiled` (`compile: \'auto\'`, the default: one TensorFlow function ' +
      'per step, grappler on) and `native-xla` (`compile: \'xla\'`). "x PyTorch" / "x TensorFlow" are speed ratios ' +
      `(above 1 = faster than the reference); the PyTorch reference is its fastest thread setting in this run that is not noisy. ` +
      `${input.minutes} min in all.`,
    '',
  );
  out.push(...headlineSection(input), ...nativeVariantsSection(input));
  out.push('## W1 training step and W2 encode, every implementation', '', loadLine(input.load), '', w1Table(rows), '');
  out.push(
    'Paths: `trainer` = vaekit\'s `createVae` W1 model through `@vaekit/core`\'s `train()` (gradient-norm read and finite check ' +
      'included) with the row\'s compile setting; `raw` = the same network hand-written on tfjs-core (`tf.fused.matMul`, tfjs Adam via `minimize`), ' +
      'op by op; `raw-lean` = raw with a 6-op loss and Adam over one flat parameter vector; `python` = the reference script. ' +
      'Kernels per step are profiled on op-by-op rows only (a compiled step is one function call; its op count is in the first-call table).',
    '',
  );
  const runtimes = input.all.map((c) => `- ${c.impl.label}: ${c.impl.runtime || '?'}${c.errors.length ? ` — errors: ${c.errors.join('; ')}` : ''}`);
  out.push('Runtimes:', '', ...runtimes, '');

  const lines = otherRatioLines(rows);
  if (lines.length) out.push('## Other ratios', '', ...lines, '');

  const kernels = input.all.find((c) => c.impl.id === NATIVE_IDS.eager)?.kernelTimes;
  if (kernels?.length) {
    out.push(
      '## Where native eager\'s W1 trainer step goes (one profiled step, `tf.profile`, time inside each kernel)',
      '',
      kernelTable(kernels),
      '',
      `The kernel times add up to less than the step: the rest is tfjs's per-op JavaScript (tape, engine bookkeeping, ` +
        `tensor handles) around ${kernels.reduce((a, k) => a + k.count, 0)} launches.`,
      '',
    );
  }
  // The native eager and XLA sweeps have their own table above; the compiled one is what users get.
  const otherImpls = input.variantImpls.filter((v) => v.id !== NATIVE_IDS.eager && v.id !== NATIVE_IDS.xla);
  if (input.variants.length && otherImpls.length) {
    const pytorch = rows[0]?.refs.pytorch ?? { id: null, step: Number.NaN, encode: Number.NaN, noisy: false };
    out.push(
      '## Every registered variant on every backend, default config (MNIST-shaped random binary data, batch 128, trainer path)',
      '',
      variantTable(input.variants, otherImpls, pytorch),
      '',
      `The ratio is to PyTorch's W1 step (the VAE's default config is W1's network). Native is the compiled trainer path.`,
      '',
    );
  }
  return out.join('\n');
}
