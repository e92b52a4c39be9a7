import { checkMonitor, DEFAULT_MONITOR, type Monitor } from './monitor.js';

/**
 * How the learning rate moves during a run, as plain data (so a checkpoint records it and a resume
 * repeats it). Each schedule scales the optimizer's own `learningRate` (the base rate); every schedule
 * but `plateau` is a function of the global step (0-based) or the epoch alone.
 */
export type LearningRateSchedule =
  /** The base rate throughout. */
  | { readonly type: 'constant' }
  /** The base rate times `factor` once every `every` steps (or epochs, with `unit: 'epoch'`). */
  | { readonly type: 'step'; readonly every: number; readonly factor: number; readonly unit?: 'step' | 'epoch' }
  /** The base rate times `decayRate` ^ (step / `decaySteps`): smooth decay, by `decayRate` every `decaySteps`. */
  | { readonly type: 'exponential'; readonly decayRate: number; readonly decaySteps: number }
  /**
   * A linear warm-up from base/`warmupSteps` to the base over the first `warmupSteps` steps (default 0),
   * then half a cosine from the base down to `minLearningRate` (default 0) over `decaySteps` steps
   * (default: the rest of the run as first started), then `minLearningRate`.
   */
  | {
      readonly type: 'cosine';
      readonly warmupSteps?: number;
      readonly decaySteps?: number;
      readonly minLearningRate?: number;
    }
  /**
   * Reduce on plateau: after `patience` epochs in a row in which `monitor` (default 'validation.total')
   * did not fall below its best by more than `minDelta` (default 0), the rate is multiplied by `factor`
   * (in (0, 1)), never below `minLearningRate` (default 0), and the count starts over.
   */
  | {
      readonly type: 'plateau';
      readonly factor: number;
      readonly patience: number;
      readonly minDelta?: number;
      readonly minLearningRate?: number;
      readonly monitor?: Monitor;
    };

/** A schedule with every default filled in, as a checkpoint records it. */
export type ResolvedLearningRateSchedule =
  | { readonly type: 'constant' }
  | { readonly type: 'step'; readonly every: number; readonly factor: number; readonly unit: 'step' | 'epoch' }
  | { readonly type: 'exponential'; readonly decayRate: number; readonly decaySteps: number }
  | { readonly type: 'cosine'; readonly warmupSteps: number; readonly decaySteps: number; readonly minLearningRate: number }
  | {
      readonly type: 'plateau';
      readonly factor: number;
      readonly patience: number;
      readonly minDelta: number;
      readonly minLearningRate: number;
      readonly monitor: Monitor;
    };

export const CONSTANT_LEARNING_RATE: ResolvedLearningRateSchedule = { type: 'constant' };

export interface ResolveContext {
  /** Steps in the whole run, for a cosine schedule without `decaySteps`. */
  readonly totalSteps: number;
  readonly hasValidation: boolean;
  /**
   * The schedule a resumed run was using: a cosine schedule without `decaySteps` keeps the length it was
   * given when the run started, so extending the run does not bend the curve already travelled.
   */
  readonly saved?: ResolvedLearningRateSchedule | undefined;
}

const FIELD = 'learningRateSchedule';

/** Checks a schedule and fills in its defaults; errors name the field, the value and what is allowed. */
export function resolveLearningRateSchedule(schedule: LearningRateSchedule, context: ResolveContext): ResolvedLearningRateSchedule {
  if (!schedule || typeof schedule !== 'object') {
    throw new RangeError(`${FIELD} must be an object with a type, got ${JSON.stringify(schedule)}`);
  }
  const type = (schedule as { type?: unknown }).type;
  switch (schedule.type) {
    case 'constant':
      onlyFields(schedule, ['type']);
      return CONSTANT_LEARNING_RATE;
    case 'step': {
      onlyFields(schedule, ['type', 'every', 'factor', 'unit']);
      const unit = schedule.unit ?? 'step';
      if (unit !== 'step' && unit !== 'epoch') throw new RangeError(`${FIELD}.unit must be 'step' or 'epoch', got ${JSON.stringify(unit)}`);
      return { type: 'step', every: wholeAtLeast('every', schedule.every, 1), factor: positive('factor', schedule.factor), unit };
    }
    case 'exponential':
      onlyFields(schedule, ['type', 'decayRate', 'decaySteps']);
      return {
        type: 'exponential',
        decayRate: positive('decayRate', schedule.decayRate),
        decaySteps: positive('decaySteps', schedule.decaySteps),
      };
    case 'cosine': {
      onlyFields(schedule, ['type', 'warmupSteps', 'decaySteps', 'minLearningRate']);
      const warmupSteps = wholeAtLeast('warmupSteps', schedule.warmupSteps ?? 0, 0);
      const kept = context.saved?.type === 'cosine' ? context.saved.decaySteps : undefined;
      const decaySteps = wholeAtLeast('decaySteps', schedule.decaySteps ?? kept ?? Math.max(1, context.totalSteps - warmupSteps), 1);
      return { type: 'cosine', warmupSteps, decaySteps, minLearningRate: atLeastZero('minLearningRate', schedule.minLearningRate ?? 0) };
    }
    case 'plateau': {
      onlyFields(schedule, ['type', 'factor', 'patience', 'minDelta', 'minLearningRate', 'monitor']);
      const factor = schedule.factor;
      if (!(typeof factor === 'number' && factor > 0 && factor < 1)) {
        throw new RangeError(`${FIELD}.factor must be a number in (0, 1), got ${JSON.stringify(factor)}`);
      }
      return {
        type: 'plateau',
        factor,
        patience: wholeAtLeast('patience', schedule.patience, 0),
        minDelta: atLeastZero('minDelta', schedule.minDelta ?? 0),
        minLearningRate: atLeastZero('minLearningRate', schedule.minLearningRate ?? 0),
        monitor: checkMonitor(`${FIELD}.monitor`, schedule.monitor ?? DEFAULT_MONITOR, context.hasValidation),
      };
    }
    default:
      throw new RangeError(`${FIELD}.type must be one of constant, step, exponential, cosine, plateau, got ${JSON.stringify(type)}`);
  }
}

function onlyFields(schedule: object, allowed: readonly string[]): void {
  const extra = Object.keys(schedule).filter((key) => !allowed.includes(key));
  if (extra.length) {
    const { type } = schedule as { type: string };
    throw new RangeError(`${FIELD} of type '${type}' has no field ${extra.map((k) => `'${k}'`).join(', ')}; its fields are ${allowed.join(', ')}`);
  }
}

function positive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${FIELD}.${name} must be a positive finite number, got ${JSON.stringify(value)}`);
  }
  return value;
}

function atLeastZero(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${FIELD}.${name} must be a finite number >= 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

function wholeAtLeast(name: string, value: unknown, least: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < least) {
    throw new RangeError(`${FIELD}.${name} must be a whole number >= ${least}, got ${JSON.stringify(value)}`);
  }
  return value;
}
