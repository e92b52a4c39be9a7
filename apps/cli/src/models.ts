import { createModel, listModels, UnknownModelError, type LikelihoodConfig, type ModelConfig, type VaeModel } from '@vaekit/core';
// Importing the variants registers every built-in model class; the CLI only ever looks them up by name.
import '@vaekit/variants';
import { existsSync } from 'node:fs';
import { loadModel } from '@vaekit/core/node';
import type { BackendInfo } from '@vaekit/backends';
import { selectBackend } from './backend.js';
import { UsageError } from './errors.js';
import type { LikelihoodKind } from './data-source.js';

/** The registered class a `--model` name means, matched case-insensitively so `--model vae` works too. */
export function resolveModelClass(name: string): string {
  const wanted = name.toLowerCase();
  const match = listModels().find((entry) => entry.className.toLowerCase() === wanted);
  if (!match) throw new UnknownModelError(name);
  return match.className;
}

/** `name  description` lines for help text, from the registry, so new variants show up by themselves. */
export function describeModels(): string {
  return listModels()
    .map((entry) => `  ${entry.className.padEnd(10)} ${entry.description}`)
    .join('\n');
}

export interface ModelOptions {
  className: string;
  inputShape: readonly number[];
  latentDim?: number;
  hidden?: number[];
  conv: boolean;
  likelihood: LikelihoodKind;
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

export function buildModel(config: { className: string } & Record<string, unknown>): VaeModel {
  return createModel(config);
}

/** Checks `--model-file` names an existing file: called before the backend loads, so a typo fails fast. */
export function requireModelFile(path: string | undefined): string {
  if (!path) throw new UsageError('--model-file is required (a model.vaekit written by `vaekit train`)');
  if (!existsSync(path)) throw new UsageError(`no model file at ${path}`);
  return path;
}

/** Loads a saved model; a truncated or foreign file fails with core's CorruptFileError (one line). */
export async function loadModelFile(path: string): Promise<VaeModel> {
  return loadModel(requireModelFile(path));
}

/** Which likelihood a saved model decodes with, for data checks and binarization defaults. */
export function likelihoodKind(config: ModelConfig): LikelihoodKind {
  const likelihood = config.likelihood as { type?: string } | undefined;
  return likelihood?.type === 'gaussian' ? 'gaussian' : 'bernoulli';
}

/**
 * Selects the backend, loads the model file on it, runs `use`, and disposes the model whatever happens:
 * the shared start of every command that works on a saved model.
 */
export async function withModelFile<T>(
  path: string | undefined,
  backend: string,
  options: { quiet?: boolean },
  use: (model: VaeModel, backend: BackendInfo) => Promise<T>,
): Promise<T> {
  const modelFile = requireModelFile(path);
  const info = await selectBackend(backend, options);
  const model = await loadModelFile(modelFile);
  try {
    return await use(model, info);
  } finally {
    model.dispose();
  }
}
