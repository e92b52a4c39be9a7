import type { CompiledRun, CompiledStep, CompileMode } from '../compile/compiled-step.js';
import { UntraceableStepError } from '../compile/step-structure.js';
import type { TraceReport } from '../compile/trace-step.js';
import type { CompileEvent } from './step-runner.js';

/**
 * The traced functions of one training run, one per key (a batch shape, and for a worker its place in the
 * global batch). The first step the trace fails, every later step runs op by op and the run hears why, once.
 */
export interface CompiledSteps {
  /** The function for `key`, traced by `trace` on first use; null once a trace has failed. */
  stepFor(key: string, batchShape: readonly number[], trace: () => { step: CompiledStep; report: TraceReport }): CompiledStep | null;
  dispose(): void;
}

export function compiledSteps(mode: CompileMode, onEvent: (event: CompileEvent) => void): CompiledSteps {
  const steps = new Map<string, CompiledStep>();
  let fallback = false;
  return {
    stepFor(key, batchShape, trace) {
      if (fallback) return null;
      const known = steps.get(key);
      if (known) return known;
      try {
        const { step, report } = trace();
        steps.set(key, step);
        onEvent({ status: 'compiled', mode, batchShape: [...batchShape], report });
        return step;
      } catch (error) {
        if (!(error instanceof UntraceableStepError)) throw error;
        fallback = true;
        onEvent({ status: 'eager', reason: error.message });
        return null;
      }
    },
    dispose() {
      for (const step of steps.values()) step.dispose();
      steps.clear();
    },
  };
}

/**
 * Reads a compiled run's loss summary and keeps its update only when the summary is finite, as an eager
 * step skips a non-finite one (then `afterCommit`); the run's tensors are released either way.
 */
export async function settleCompiledRun<T extends { finite: boolean }>(
  run: CompiledRun,
  read: (values: ArrayLike<number>) => T,
  afterCommit: () => void,
): Promise<T> {
  try {
    const outcome = read(await run.outputs[0]!.data());
    if (outcome.finite) {
      run.commit();
      afterCommit();
    }
    return outcome;
  } finally {
    run.dispose();
  }
}
