// The headline: native eager, compiled and XLA next to PyTorch (1 and default threads) and TensorFlow
// (tf.function, with and without XLA), the ratios the issue sets targets for, and the one-time cost of
// tracing. A ratio is printed only when both sides pass the noise rule (stats.ts); otherwise "noisy".
import type { CompileSummary } from './compile-info.js';
import { fmt, fmtRatio, markdownTable } from './format.js';
import { NATIVE_IDS } from './plans.js';
import { noiseCell, pathLabel, roundsCell, type W1Row } from './report.js';
import { noiseVerdict, speedRatio, type NoiseVerdict, type Summary } from './stats.js';

/** The headline rows, in the order they are printed. */
export const HEADLINE_IDS = [NATIVE_IDS.eager, NATIVE_IDS.compiled, NATIVE_IDS.xla, 'pytorch-1t', 'pytorch', 'tensorflow', 'tensorflow-xla'] as const;

export interface HeadlineRow {
  id: string;
  label: string;
  runtime: string;
  step: Summary;
  verdict: NoiseVerdict;
  compile: CompileSummary | null;
  /** Wall time of the first step (for the Python references, their tracing and compiling are inside it). */
  firstStepMs: number;
}

/**
 * Multi-threaded references and their own 1-thread setting. On a 2-core machine shared with others, PyTorch
 * with 2 threads can stall for a whole run, steadily: its rounds agree, so the spread rules miss it. Slower
 * than its own 1-thread setting in the same run means its threads waited for a core: noisy too.
 */
export const THREAD_PAIRS: Readonly<Record<string, string>> = { pytorch: 'pytorch-1t' };

function withStallCheck(rows: HeadlineRow[]): HeadlineRow[] {
  return rows.map((row) => {
    const single = rows.find((r) => r.id === THREAD_PAIRS[row.id]);
    if (!single || !(row.step.median > single.step.median)) return row;
    const stall = `slower than ${single.id} (${fmt(row.step.median)} vs ${fmt(single.step.median)} ms): its threads wait for a busy core`;
    return { ...row, verdict: { ...row.verdict, noisy: true, why: [row.verdict.why, stall].filter(Boolean).join(', ') } };
  });
}

/** One W1 figure per headline implementation: the trainer path on native, the script for the references. */
export function headlineRows(rows: readonly W1Row[]): HeadlineRow[] {
  const out: HeadlineRow[] = [];
  for (const id of HEADLINE_IDS) {
    const row = rows.find((r) => r.impl.id === id && (r.path === 'trainer' || r.path === 'python'));
    if (!row) continue;
    out.push({
      id,
      label: `${row.impl.label}${row.compile?.status === 'eager' ? ` — ${pathLabel(row)}` : ''}`,
      runtime: row.impl.runtime,
      step: row.step,
      verdict: noiseVerdict(row.step),
      compile: row.compile,
      firstStepMs: row.firstStepMs,
    });
  }
  return withStallCheck(out);
}

export function headlineTable(rows: readonly HeadlineRow[]): string {
  const headers = ['implementation', 'runtime', 'ms/step', 'round medians, ms', 'IQR/median', 'noise rule'];
  const body = rows.map((r) => [r.label, r.runtime || '?', fmt(r.step.median), roundsCell(r.step), noiseCell(r.step), r.verdict.noisy ? `noisy: ${r.verdict.why}` : 'ok']);
  return markdownTable(headers, body, ['left', 'left', 'right', 'right', 'right', 'left']);
}

/** An issue target on the speed ratio (subject's steps/s over the reference's). */
export interface Target {
  /** 'faster': ratio above 1; 'within': subject's step at most `factor` times the reference's. */
  kind: 'faster' | 'within';
  factor: number;
}

export interface Comparison {
  subject: string;
  reference: string;
  target?: Target;
}

const FASTER: Target = { kind: 'faster', factor: 1 };

export const COMPARISONS: readonly Comparison[] = [
  { subject: NATIVE_IDS.compiled, reference: 'pytorch-1t', target: FASTER },
  { subject: NATIVE_IDS.compiled, reference: 'tensorflow', target: { kind: 'within', factor: 1.15 } },
  { subject: NATIVE_IDS.xla, reference: 'tensorflow-xla', target: { kind: 'within', factor: 1.1 } },
  { subject: NATIVE_IDS.compiled, reference: NATIVE_IDS.eager, target: FASTER },
  { subject: NATIVE_IDS.xla, reference: NATIVE_IDS.compiled },
  { subject: NATIVE_IDS.compiled, reference: 'pytorch' },
  { subject: NATIVE_IDS.eager, reference: 'pytorch-1t' },
];

export interface ComparisonRow extends Comparison {
  subjectMs: number;
  referenceMs: number;
  /** Speed ratio subject vs reference; NaN when one side is missing, noisy or fell back. */
  ratio: number;
  /** What stands in the ratio's place when there is none. */
  note: string;
  met: 'yes' | 'no' | '–';
}

/**
 * The headline ratios. A side that fails the noise rule, or a compiled row that ran op by op, gives no
 * multiple: the cell says why instead.
 */
export function comparisonRows(rows: readonly HeadlineRow[]): ComparisonRow[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return COMPARISONS.map((c) => {
    const s = byId.get(c.subject);
    const r = byId.get(c.reference);
    const subjectMs = s?.step.median ?? Number.NaN;
    const referenceMs = r?.step.median ?? Number.NaN;
    let note = '';
    if (!s || !r || !Number.isFinite(subjectMs) || !Number.isFinite(referenceMs)) note = 'not measured';
    else if (s.compile?.status === 'eager' || r.compile?.status === 'eager') note = 'fell back to eager';
    else if (r.verdict.noisy || s.verdict.noisy) {
      // Which side, not why: the headline table beside it gives the reason.
      note = `noisy (${[r, s].filter((x) => x.verdict.noisy).map((x) => x.id).join(', ')})`;
    }
    const ratio = note ? Number.NaN : speedRatio(subjectMs, referenceMs);
    const met = !c.target || note ? '–' : meets(ratio, c.target) ? 'yes' : 'no';
    return { ...c, subjectMs, referenceMs, ratio, note, met };
  });
}

function meets(ratio: number, target: Target): boolean {
  return target.kind === 'faster' ? ratio > 1 : ratio >= 1 / target.factor;
}

function targetText(target: Target | undefined): string {
  if (!target) return '';
  return target.kind === 'faster' ? 'faster (> 1.00x)' : `step within ${target.factor}x (>= ${(1 / target.factor).toFixed(2)}x)`;
}

export function comparisonTable(rows: readonly ComparisonRow[]): string {
  const headers = ['comparison', 'ms/step', 'reference ms/step', 'x reference (speed)', 'target', 'met'];
  const body = rows.map((c) => [
    `${c.subject} vs ${c.reference}`,
    fmt(c.subjectMs),
    fmt(c.referenceMs),
    c.note ? (c.note === 'not measured' ? '–' : c.note) : fmtRatio(c.ratio),
    targetText(c.target),
    c.met,
  ]);
  return markdownTable(headers, body, ['left', 'right', 'right', 'right', 'left', 'left']);
}

/** Trace and first-call costs on W1 (medians over rounds), beside each reference's first step. */
export function firstCallTable(rows: readonly HeadlineRow[]): string {
  const headers = ['implementation', 'trace ms', 'first call ms', 'first step ms (all of it)', 'ops in function', 'GraphDef KB', 'constants KB', 'rounds'];
  const kb = (bytes: number): string => fmt(bytes / 1024);
  const body = rows
    .filter((r) => r.compile || Number.isFinite(r.firstStepMs))
    .map((r) => {
      const c = r.compile;
      if (c?.status === 'compiled') {
        return [r.label, fmt(c.traceMs), fmt(c.firstCallMs), fmt(c.firstStepMs), String(c.ops), kb(c.graphDefBytes), kb(c.constantBytes), String(c.rounds)];
      }
      if (c?.status === 'eager') return [r.label, `ran op by op: ${c.reason}`, '–', '–', '–', '–', '–', '–'];
      return [r.label, '–', '–', fmt(r.firstStepMs), '–', '–', '–', '–'];
    });
  return markdownTable(headers, body, headers.map((_, i): 'left' | 'right' => (i === 0 ? 'left' : 'right')));
}
