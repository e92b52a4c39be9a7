// What the trainer's `onCompile` says about one traced step, as plain data: it crosses process and page
// boundaries as JSON, and the report keeps the cost of tracing apart from the step times.
import type { CompileEvent, TrainOptions } from '@vaekit/core';

import { median } from './stats.js';

/** The trainer's `compile` option: 'auto' (grappler), 'xla', or false (op by op). */
export type CompileSetting = NonNullable<TrainOptions['compile']>;

export type CompileRecord =
  | {
      status: 'compiled';
      mode: 'auto' | 'xla';
      /** Recording the eager step, analysing it and registering the function. */
      traceMs: number;
      /** The function's first call, where TensorFlow optimizes it (or XLA compiles it). */
      firstCallMs: number;
      ops: number;
      graphDefBytes: number;
      constantBytes: number;
    }
  | { status: 'eager'; reason: string };

export function compileRecord(event: CompileEvent): CompileRecord {
  if (event.status === 'eager') return { status: 'eager', reason: event.reason };
  const r = event.report;
  return {
    status: 'compiled',
    mode: event.mode,
    traceMs: r.traceMs,
    firstCallMs: r.firstCallMs,
    ops: r.ops,
    graphDefBytes: r.graphDefBytes,
    constantBytes: r.constantBytes,
  };
}

/** A row's compile records over rounds: the median costs, or the reason it ran eagerly. */
export type CompileSummary =
  | {
      status: 'compiled';
      mode: 'auto' | 'xla';
      traceMs: number;
      firstCallMs: number;
      /** The first step's wall time (trace, first call, and the step's own work). */
      firstStepMs: number;
      ops: number;
      graphDefBytes: number;
      constantBytes: number;
      rounds: number;
    }
  | { status: 'eager'; reason: string };

/**
 * Medians over the rounds that compiled. Any round that fell back makes the row eager: its step times are
 * then partly op by op and must not pass for compiled ones.
 */
export function summarizeCompile(records: ReadonlyArray<CompileRecord | null | undefined>, firstStepMs: readonly number[] = []): CompileSummary | null {
  const known = records.filter((r): r is CompileRecord => r !== null && r !== undefined);
  const eager = known.find((r): r is Extract<CompileRecord, { status: 'eager' }> => r.status === 'eager');
  if (eager) return eager;
  const compiled = known.filter((r): r is Extract<CompileRecord, { status: 'compiled' }> => r.status === 'compiled');
  const last = compiled[compiled.length - 1];
  if (!last) return null;
  return {
    status: 'compiled',
    mode: last.mode,
    traceMs: median(compiled.map((r) => r.traceMs)),
    firstCallMs: median(compiled.map((r) => r.firstCallMs)),
    firstStepMs: median(firstStepMs),
    ops: last.ops,
    graphDefBytes: last.graphDefBytes,
    constantBytes: last.constantBytes,
    rounds: compiled.length,
  };
}
