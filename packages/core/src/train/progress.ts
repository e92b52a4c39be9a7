import type { EpochSums, LoopState } from './checkpoint.js';

/** The part of the loop state that changes as training goes. */
export type Progress = Omit<LoopState, 'format' | 'run' | 'optimizer' | 'environment'>;

export const NO_SUMS: EpochSums = { examples: 0, terms: {} };

/** Adds one step's batch means, weighted by its examples, in float64 and in step order. */
export function addToSums(sums: EpochSums, terms: Readonly<Record<string, number>>, examples: number): EpochSums {
  const next: Record<string, number> = { ...sums.terms };
  for (const [name, value] of Object.entries(terms)) next[name] = (next[name] ?? 0) + value * examples;
  return { examples: sums.examples + examples, terms: next };
}

export function meansOf(sums: EpochSums): Record<string, number> {
  return Object.fromEntries(Object.entries(sums.terms).map(([name, sum]) => [name, sum / Math.max(sums.examples, 1)]));
}

/** The loop's progress from a checkpoint's state. */
export function progressOf(state: LoopState): Progress {
  const { epoch, nextBatch, step, skippedSteps, consecutiveSkips, epochSums, history, plateau, earlyStopping, changes } = state;
  return { epoch, nextBatch, step, skippedSteps, consecutiveSkips, epochSums, history, plateau, earlyStopping, changes };
}
