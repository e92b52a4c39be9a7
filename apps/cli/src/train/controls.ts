import {
  resolveLearningRateSchedule,
  type LearningRateSchedule,
  type Monitor,
  type RunChange,
  type TrainOptions,
} from '@vaekit/core';
import { numberFlag } from '../args.js';
import { UsageError } from '../errors.js';

/** Early stopping as config.json records it (`--early-stop`, `--min-delta`, `--monitor`). */
export interface EarlyStopArgs {
  patience: number;
  minDelta: number;
  monitor: Monitor;
}

/** The flags of the training controls, as parsed. */
export interface ControlFlagValues {
  'lr-schedule'?: string | undefined;
  'clip-grad-norm'?: string | undefined;
  'early-stop'?: string | undefined;
  'min-delta'?: string | undefined;
  monitor?: string | undefined;
  'restore-best'?: boolean | undefined;
}

export const CONTROL_OPTIONS = {
  'lr-schedule': { type: 'string' },
  'clip-grad-norm': { type: 'string' },
  'early-stop': { type: 'string' },
  'min-delta': { type: 'string' },
  monitor: { type: 'string' },
  'restore-best': { type: 'boolean' },
} as const;

export const CONTROL_USAGE = `  --lr-schedule SPEC      how the rate moves, as TYPE or TYPE:FIELD=VALUE,...; the rate is --lr times:
                            constant (default)
                            step:every=N,factor=F[,unit=epoch]        F once every N steps (or epochs)
                            exponential:decayRate=R,decaySteps=N      R every N steps, smoothly
                            cosine[:warmupSteps=N,decaySteps=N,minLearningRate=X]
                                                    linear warm-up, then a half cosine down to X over
                                                    decaySteps (default: the rest of the run)
                            plateau:factor=F,patience=N[,minDelta=X,minLearningRate=X,monitor=M]
                                                    F after N epochs without the held-out loss improving
                          on --resume, --lr and --lr-schedule may change: the change takes effect at the
                          checkpoint's step and is recorded in config.json and the checkpoint
  --clip-grad-norm X      scale each step's gradients down to a global L2 norm of at most X (default off)
  --early-stop N          stop after N epochs without the held-out loss improving; best.vaekit keeps
                          the best epoch's model (default off)
  --min-delta X           with --early-stop: how much lower a loss must be to count (default 0)
  --monitor M             with --early-stop: validation.total (default, the held-out loss),
                          validation.reconstruction, validation.kl or train.total
  --restore-best          with --early-stop: model.vaekit ends with the best epoch's weights`;

/** `--lr-schedule`: `TYPE` or `TYPE:FIELD=VALUE,...` (or the schedule as JSON), checked by core. */
export function lrScheduleFlag(raw: string | undefined): LearningRateSchedule | undefined {
  if (raw === undefined) return undefined;
  let schedule: Record<string, unknown>;
  if (raw.trim().startsWith('{')) {
    try {
      schedule = JSON.parse(raw) as Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`--lr-schedule is not valid JSON: ${(error as Error).message}`);
    }
  } else {
    const colon = raw.indexOf(':');
    const type = (colon < 0 ? raw : raw.slice(0, colon)).trim();
    schedule = { type };
    const fields = colon < 0 ? [] : raw.slice(colon + 1).split(',').filter((field) => field.trim() !== '');
    for (const field of fields) {
      const equals = field.indexOf('=');
      if (equals < 1) throw new UsageError(`--lr-schedule field '${field}' must be FIELD=VALUE, e.g. ${type}:warmupSteps=500`);
      const key = field.slice(0, equals).trim();
      const text = field.slice(equals + 1).trim();
      const value = Number(text);
      schedule[key] = key === 'unit' || key === 'monitor' || text === '' || !Number.isFinite(value) ? text : value;
    }
  }
  try {
    resolveLearningRateSchedule(schedule as LearningRateSchedule, { totalSteps: 1, hasValidation: true });
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(`--lr-schedule: ${error.message}`);
    throw error;
  }
  return schedule as LearningRateSchedule;
}

/** `--early-stop N` with its `--min-delta` and `--monitor`; the last two mean nothing without it. */
export function earlyStopFlags(values: ControlFlagValues): EarlyStopArgs | undefined {
  const patience = numberFlag('early-stop', values['early-stop'], { integer: true, min: 1 });
  const minDelta = numberFlag('min-delta', values['min-delta'], { min: 0 });
  if (patience === undefined) {
    if (minDelta !== undefined) throw new UsageError('--min-delta needs --early-stop N');
    if (values.monitor !== undefined) throw new UsageError('--monitor needs --early-stop N');
    return undefined;
  }
  const monitor = values.monitor ?? 'validation.total';
  if (!/^(train|validation)\.[A-Za-z_]\w*$/.test(monitor)) {
    throw new UsageError(`--monitor must be validation.total, validation.reconstruction, validation.kl or train.total, got '${monitor}'`);
  }
  return { patience, minDelta: minDelta ?? 0, monitor: monitor as Monitor };
}

/** The run's controls as `train` options. */
export function controlOptions(args: {
  lrSchedule?: LearningRateSchedule;
  clipGradNorm?: number;
  earlyStop?: EarlyStopArgs;
  restoreBest?: boolean;
}): Partial<TrainOptions> {
  return {
    ...(args.lrSchedule ? { learningRateSchedule: args.lrSchedule } : {}),
    ...(args.clipGradNorm !== undefined ? { clipGradientNorm: args.clipGradNorm } : {}),
    ...(args.earlyStop ? { earlyStopping: { ...args.earlyStop, restoreBest: args.restoreBest === true } } : {}),
  };
}

/** A schedule as `--lr-schedule` spells it. */
export function describeSchedule(schedule: LearningRateSchedule): string {
  const fields = Object.entries(schedule).filter(([key]) => key !== 'type');
  return fields.length ? `${schedule.type}:${fields.map(([key, value]) => `${key}=${String(value)}`).join(',')}` : schedule.type;
}

/** One line for a change a resume made. */
export function describeChange(change: RunChange): string {
  if (change.setting === 'learningRate') {
    return `learning rate changed from ${change.from} to ${change.to} at step ${change.step}`;
  }
  return `learning-rate schedule changed from ${describeSchedule(change.from)} to ${describeSchedule(change.to)} at step ${change.step}`;
}
