// The variant sweep's tables: every variant's eager, compiled and XLA step on native with the cost of
// tracing, and steps/s on every other backend. Pure functions of the collected data (unit-tested).
import { summarizeCompile, type CompileSummary } from './compile-info.js';
import { fmt, fmtRatio, markdownTable } from './format.js';
import { NATIVE_IDS } from './plans.js';
import type { Reference, VariantCell, VariantCollected } from './report.js';
import { noiseVerdict, perSecond, speedRatio, summarizeRounds, type Summary } from './stats.js';

export interface ModeFigures {
  step: Summary;
  noisy: boolean;
  compile: CompileSummary | null;
  error?: string;
}

export interface NativeVariantRow {
  className: string;
  eager: ModeFigures | null;
  compiled: ModeFigures | null;
  xla: ModeFigures | null;
  /** Eager ms over compiled ms (above 1: compiling made the step faster); NaN when not comparable. */
  compiledSpeedup: number;
  xlaSpeedup: number;
  /** Why a speed-up is not printed: a side is missing, noisy, failed or fell back to eager. */
  compiledNote: string;
  xlaNote: string;
}

function figures(cell: VariantCell | undefined): ModeFigures | null {
  if (!cell) return null;
  const step = summarizeRounds(cell.stepRounds);
  return {
    step,
    noisy: noiseVerdict(step).noisy,
    compile: summarizeCompile(cell.compileRounds ?? [], cell.firstStepRounds ?? []),
    ...(cell.error ? { error: cell.error } : {}),
  };
}

/** Why eager-vs-this cannot be a ratio ('' when it can). */
function blocker(eager: ModeFigures | null, other: ModeFigures | null): string {
  if (!eager || !other) return 'not measured';
  if (eager.error || other.error) return 'error';
  if (other.compile?.status === 'eager') return 'fell back to eager';
  if (!Number.isFinite(eager.step.median) || !Number.isFinite(other.step.median)) return 'no steps';
  if (eager.noisy || other.noisy) return 'noisy';
  return '';
}

export function nativeVariantRows(variants: readonly VariantCollected[]): NativeVariantRow[] {
  return variants
    .filter((v) => v.byImpl[NATIVE_IDS.eager] || v.byImpl[NATIVE_IDS.compiled] || v.byImpl[NATIVE_IDS.xla])
    .map((v) => {
      const eager = figures(v.byImpl[NATIVE_IDS.eager]);
      const compiled = figures(v.byImpl[NATIVE_IDS.compiled]);
      const xla = figures(v.byImpl[NATIVE_IDS.xla]);
      const compiledNote = blocker(eager, compiled);
      const xlaNote = blocker(eager, xla);
      return {
        className: v.className,
        eager,
        compiled,
        xla,
        compiledSpeedup: compiledNote ? Number.NaN : speedRatio(compiled!.step.median, eager!.step.median),
        xlaSpeedup: xlaNote ? Number.NaN : speedRatio(xla!.step.median, eager!.step.median),
        compiledNote,
        xlaNote,
      };
    });
}

const msCell = (f: ModeFigures | null): string => {
  if (!f) return '–';
  if (f.error) return `error: ${f.error.slice(0, 40)}`;
  return `${fmt(f.step.median)}${f.noisy ? ' (noisy)' : ''}`;
};
const speedupCell = (ratio: number, note: string): string => (note ? (note === 'not measured' ? '–' : note) : fmtRatio(ratio));
const costCell = (f: ModeFigures | null, key: 'traceMs' | 'firstCallMs'): string =>
  f?.compile?.status === 'compiled' ? fmt(f.compile[key]) : '–';

/** Eager, compiled and XLA steps per variant on native, the speed-ups, and the one-time cost of tracing. */
export function nativeVariantTable(rows: readonly NativeVariantRow[]): string {
  const headers = [
    'variant',
    'eager ms/step',
    'compiled ms/step',
    'eager/compiled',
    'XLA ms/step',
    'eager/XLA',
    'compiled: trace ms',
    'compiled: first call ms',
    'XLA: trace ms',
    'XLA: first call ms',
  ];
  const body = rows.map((r) => [
    r.className,
    msCell(r.eager),
    msCell(r.compiled),
    speedupCell(r.compiledSpeedup, r.compiledNote),
    msCell(r.xla),
    speedupCell(r.xlaSpeedup, r.xlaNote),
    costCell(r.compiled, 'traceMs'),
    costCell(r.compiled, 'firstCallMs'),
    costCell(r.xla, 'traceMs'),
    costCell(r.xla, 'firstCallMs'),
  ]);
  return markdownTable(headers, body, headers.map((_, i): 'left' | 'right' => (i === 0 ? 'left' : 'right')));
}

/** One line per variant that fell back to eager, with the trainer's reason. */
export function fallbackLines(rows: readonly NativeVariantRow[]): string[] {
  const lines: string[] = [];
  for (const r of rows) {
    for (const [mode, f] of [['compiled', r.compiled], ['XLA', r.xla]] as const) {
      if (f?.compile?.status === 'eager') lines.push(`- ${r.className}, ${mode}: ran op by op: ${f.compile.reason}`);
    }
  }
  return lines;
}

/** The issue's target in one line: how many variants' compiled steps beat their eager ones. */
export function speedupVerdict(rows: readonly NativeVariantRow[]): string {
  const measured = rows.filter((r) => r.eager || r.compiled);
  const faster = measured.filter((r) => r.compiledSpeedup > 1).length;
  const notFaster = measured.filter((r) => r.compiledSpeedup <= 1).map((r) => r.className);
  const skipped = measured.filter((r) => !Number.isFinite(r.compiledSpeedup)).map((r) => `${r.className} (${r.compiledNote})`);
  return (
    `Compiled step faster than eager: ${faster} of ${measured.length} variants` +
    (notFaster.length ? `; not faster: ${notFaster.join(', ')}` : '') +
    (skipped.length ? `; no ratio: ${skipped.join(', ')}` : '') +
    '.'
  );
}

/** Rows for variant x backend: steps/s and encode ms per backend, with the ratio to PyTorch's W1 step. */
export function variantTable(variants: readonly VariantCollected[], implLabels: ReadonlyArray<{ id: string; label: string }>, pytorch: Reference): string {
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
      const ratio = pytorch.noisy ? 'noisy' : fmtRatio(speedRatio(step, pytorch.step));
      return [`${fmt(perSecond(step))} (${ratio})`, fmt(enc)];
    }),
  ]);
  return markdownTable(headers, body, headers.map((_, i): 'left' | 'right' => (i < 2 ? 'left' : 'right')));
}
