import type { PlateauState } from './plateau.js';
import type { ResolvedLearningRateSchedule } from './schedule-config.js';

/** Where in the run a step is: its global step (0-based) and its epoch (0-based). */
export interface StepPosition {
  /** Global steps completed before this one. */
  readonly step: number;
  /** The epoch the step belongs to, 0-based (the first epoch is 0). */
  readonly epoch: number;
}

/**
 * The learning rate of one step under a schedule, from the base rate (the optimizer's `learningRate`).
 * A pure function of its arguments, in float64, so a resumed run computes the very same rates.
 */
export function scheduledLearningRate(
  schedule: ResolvedLearningRateSchedule,
  base: number,
  { step, epoch }: StepPosition,
  plateau: PlateauState | null,
): number {
  switch (schedule.type) {
    case 'constant':
      return base;
    case 'step':
      return base * schedule.factor ** Math.floor((schedule.unit === 'epoch' ? epoch : step) / schedule.every);
    case 'exponential':
      return base * schedule.decayRate ** (step / schedule.decaySteps);
    case 'cosine': {
      if (step < schedule.warmupSteps) return (base * (step + 1)) / schedule.warmupSteps;
      const into = step - schedule.warmupSteps;
      const low = schedule.minLearningRate;
      if (into >= schedule.decaySteps) return low;
      return low + (base - low) * 0.5 * (1 + Math.cos((Math.PI * into) / schedule.decaySteps));
    }
    case 'plateau':
      return plateau?.learningRate ?? base;
  }
}
