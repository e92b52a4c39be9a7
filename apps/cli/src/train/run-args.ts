import type { LearningRateSchedule } from '@vaekit/core';
import type { Binarization } from '@vaekit/data';
import type { EarlyStopArgs } from './controls.js';
import { UsageError } from '../errors.js';

/** Everything that defines a run, as saved in config.json; a resume reads it back. */
export interface RunArgs {
  model: string;
  data: string;
  epochs: number;
  batchSize: number;
  lr: number;
  latentDim: number | null;
  hidden: number[] | null;
  conv: boolean;
  /** A registered likelihood type; its fields come from `--set likelihood.FIELD=VALUE`. */
  likelihood: string;
  binarize: Binarization;
  klWarmup: number;
  freeBits: number;
  beta: number | null;
  seed: number;
  limit: number | null;
  checkpointEvery: number;
  /** Model-config fields from `--set key=value` (absent in runs saved before the flag existed). */
  set?: Record<string, unknown>;
  /** Values per pixel of PNG data, from `--channels` (absent: 1, grey). */
  channels?: 1 | 3 | 4;
  /** Screen pixels per image pixel of the run's pictures, from `--scale` (absent: auto). */
  scale?: number;
  /** How the learning rate moves, from `--lr-schedule` (absent: constant). */
  lrSchedule?: LearningRateSchedule;
  /** The cap on the gradient's global norm, from `--clip-grad-norm` (absent: no clipping). */
  clipGradNorm?: number;
  /** Early stopping, from `--early-stop`, `--min-delta` and `--monitor` (absent: off). */
  earlyStop?: EarlyStopArgs;
  /** Whether model.vaekit ends with the best epoch's weights, from `--restore-best`. */
  restoreBest?: boolean;
}

export function defaultArgs(): RunArgs {
  return {
    model: 'Vae',
    data: 'mnist',
    epochs: 10,
    batchSize: 128,
    lr: 1e-3,
    latentDim: null,
    hidden: null,
    conv: false,
    likelihood: 'bernoulli',
    binarize: 'dynamic',
    klWarmup: 0,
    freeBits: 0,
    beta: null,
    seed: 0,
    limit: null,
    checkpointEvery: 0,
  };
}

/** The flag each RunArgs field comes from, for messages. */
const FLAG_OF: Record<keyof RunArgs, string> = {
  model: '--model',
  data: '--data',
  epochs: '--epochs',
  batchSize: '--batch-size',
  lr: '--lr',
  latentDim: '--latent-dim',
  hidden: '--hidden',
  conv: '--conv',
  likelihood: '--likelihood',
  binarize: '--binarize',
  klWarmup: '--kl-warmup',
  freeBits: '--free-bits',
  beta: '--beta',
  seed: '--seed',
  limit: '--limit',
  checkpointEvery: '--checkpoint-every',
  set: '--set',
  channels: '--channels',
  scale: '--scale',
  lrSchedule: '--lr-schedule',
  clipGradNorm: '--clip-grad-norm',
  earlyStop: '--early-stop',
  restoreBest: '--restore-best',
};

/**
 * What may change when a run is resumed: how long it goes on, how often it saves, and, recorded as a
 * change, its learning rate and schedule; nothing else that alters the math.
 */
const CHANGEABLE_ON_RESUME: ReadonlySet<keyof RunArgs> = new Set(['epochs', 'checkpointEvery', 'scale', 'lr', 'lrSchedule', 'restoreBest']);

/** Saved settings win; a flag given again must agree with them unless it is one a resume may change. */
export function mergeForResume(saved: RunArgs, requested: Partial<RunArgs>): RunArgs {
  const conflicts: string[] = [];
  for (const key of Object.keys(requested) as (keyof RunArgs)[]) {
    if (CHANGEABLE_ON_RESUME.has(key)) continue;
    if (key === 'model' && String(requested.model).toLowerCase() === String(saved.model).toLowerCase()) continue;
    if (JSON.stringify(requested[key]) !== JSON.stringify(saved[key])) {
      conflicts.push(`${FLAG_OF[key]} ${show(requested[key])} (the run has ${show(saved[key])})`);
    }
  }
  if (conflicts.length) {
    throw new UsageError(
      `cannot resume with different settings: ${conflicts.join('; ')}. Drop those flags to resume with the saved ` +
        'settings, or start a new run with another --out',
    );
  }
  const merged = { ...saved, ...pick(requested, CHANGEABLE_ON_RESUME) };
  checkControlArgs(merged);
  return merged;
}

/** Flags that only mean something beside another. */
export function checkControlArgs(args: Partial<RunArgs>): void {
  if (args.restoreBest && !args.earlyStop) throw new UsageError('--restore-best needs --early-stop N');
}

/** Why saved `args` cannot be a run's settings, or null when every field has the type a resume reads. */
export function runArgsProblem(args: Record<string, unknown>): string | null {
  for (const [key, fallback] of Object.entries(defaultArgs())) {
    const value = args[key];
    const ok = fallback === null ? value === null || typeof value === 'number' || Array.isArray(value) : typeof value === typeof fallback;
    if (!ok) return `'args.${key}' is ${value === undefined ? 'missing' : `${JSON.stringify(value)}`}`;
  }
  return null;
}

function pick(values: Partial<RunArgs>, keys: ReadonlySet<keyof RunArgs>): Partial<RunArgs> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => keys.has(key as keyof RunArgs))) as Partial<RunArgs>;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'unset';
  if (Array.isArray(value)) return value.join(',');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
