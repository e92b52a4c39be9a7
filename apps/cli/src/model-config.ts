import { createModel, type LikelihoodConfig, type VaeModel } from '@vaekit/core';
import type { Likelihood } from '@vaekit/data';
import { UsageError } from './errors.js';

export interface ModelOptions {
  className: string;
  inputShape: readonly number[];
  latentDim?: number;
  hidden?: number[];
  conv: boolean;
  likelihood: Likelihood;
  beta?: number;
  seed: number;
  /** Further config fields, from `--set`. */
  fields?: Record<string, unknown>;
}

/** Config fields `--set` may not touch, each with the flag (or fact) that decides it. */
const FLAG_FOR_FIELD: Readonly<Record<string, string>> = {
  className: '--model',
  inputShape: 'the data',
  latentDim: '--latent-dim',
  likelihood: '--likelihood',
  beta: '--beta',
  seed: '--seed',
};

/** A convolutional body sized for 28x28 digits: two stride-2 stages (28 -> 14 -> 7) and a dense layer. */
const CONV_ARCHITECTURE = { type: 'conv', filters: [32, 64], kernelSize: 3, denseUnits: 256 } as const;

/**
 * The config handed to the registered factory. Only fields the user set (or the data fixes) are
 * passed; every variant fills in its own defaults, so new variants need no code here.
 */
export function modelConfig(options: ModelOptions): { className: string } & Record<string, unknown> {
  for (const key of Object.keys(options.fields ?? {})) {
    const flag = FLAG_FOR_FIELD[key];
    if (flag) throw new UsageError(`--set ${key} is not allowed: ${key} is set by ${flag}`);
  }
  if (options.fields?.['architecture'] !== undefined && (options.hidden || options.conv)) {
    throw new UsageError('--set architecture=... replaces --hidden and --conv: give one or the other');
  }
  const likelihood: LikelihoodConfig =
    options.likelihood === 'gaussian' ? { type: 'gaussian', variance: 'fixed' } : { type: 'bernoulli' };
  // Architecture and latent size go in only when asked for: a variant's own defaults (a ladder VAE's
  // per-layer latent sizes, say) may not fit the plain VAE's.
  const architecture = options.conv
    ? { ...CONV_ARCHITECTURE, filters: [...CONV_ARCHITECTURE.filters], ...(options.hidden ? { denseUnits: options.hidden[0] } : {}) }
    : options.hidden
      ? { type: 'mlp', hiddenUnits: options.hidden }
      : undefined;
  return {
    className: options.className,
    inputShape: [...options.inputShape],
    ...(options.latentDim !== undefined ? { latentDim: options.latentDim } : {}),
    ...(architecture ? { architecture } : {}),
    likelihood,
    ...(options.beta !== undefined ? { beta: options.beta } : {}),
    seed: options.seed,
    ...options.fields,
  };
}

/**
 * A model from a config the flags made: a config the class refuses (a `--set` field it does not have, a
 * value out of range) is a wrong flag value, so a usage error; the message is the class's own.
 */
export function buildModelFromFlags(config: { className: string } & Record<string, unknown>): VaeModel {
  try {
    return createModel(config);
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}
