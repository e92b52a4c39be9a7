import { createModel, type LikelihoodConfig, type VaeModel } from '@vaekit/core';
import { UsageError } from './errors.js';

export interface ModelOptions {
  className: string;
  inputShape: readonly number[];
  latentDim?: number;
  hidden?: number[];
  conv: boolean;
  /** A registered likelihood type. */
  likelihood: string;
  beta?: number;
  seed: number;
  /** Further config fields, from `--set`; `likelihood.FIELD` keys set the likelihood's fields. */
  fields?: Record<string, unknown>;
}

/** Config fields `--set` may not touch, each with the flag (or fact) that decides it. */
const FLAG_FOR_FIELD: Readonly<Record<string, string>> = {
  className: '--model',
  inputShape: 'the data',
  latentDim: '--latent-dim',
  likelihood: '--likelihood (and --set likelihood.FIELD=VALUE)',
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
  const { likelihood: likelihoodFields, model: modelFields } = splitFields(options.fields ?? {});
  for (const key of Object.keys(modelFields)) {
    const flag = FLAG_FOR_FIELD[key];
    if (flag) throw new UsageError(`--set ${key} is not allowed: ${key} is set by ${flag}`);
  }
  if (modelFields['architecture'] !== undefined && (options.hidden || options.conv)) {
    throw new UsageError('--set architecture=... replaces --hidden and --conv: give one or the other');
  }
  const likelihood: LikelihoodConfig = { type: options.likelihood, ...likelihoodFields };
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
    ...modelFields,
  };
}

const LIKELIHOOD_PREFIX = 'likelihood.';

/** `--set` fields for the model, and those (`likelihood.FIELD`) for its likelihood, without the prefix. */
function splitFields(fields: Record<string, unknown>): { model: Record<string, unknown>; likelihood: Record<string, unknown> } {
  const model: Record<string, unknown> = {};
  const likelihood: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key.startsWith(LIKELIHOOD_PREFIX)) likelihood[key.slice(LIKELIHOOD_PREFIX.length)] = value;
    else model[key] = value;
  }
  return { model, likelihood };
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
