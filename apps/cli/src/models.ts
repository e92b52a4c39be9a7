import { createModel, listModels, UnknownModelError, type LikelihoodConfig, type ModelConfig, type VaeModel } from '@vaekit/core';
// Importing the variants registers every built-in model class; the CLI only ever looks them up by name.
import '@vaekit/variants';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '@vaekit/core/node';
import type { BackendInfo } from '@vaekit/backends';
import { selectBackend } from './backend.js';
import { describeFsError, isFsError, RunError, UsageError } from './errors.js';
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

/**
 * Checks `--model-file` names an existing regular file: called before the backend loads, so a typo fails
 * fast, and before reading, so a folder or a device (/dev/zero would be read forever) never is.
 */
export function requireModelFile(path: string | undefined): string {
  if (!path) throw new UsageError('--model-file is required (a model.vaekit written by `vaekit train`)');
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    if (isFsError(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) throw new UsageError(`no model file at ${path}`);
    if (isFsError(error)) throw new RunError(`--model-file: ${describeFsError(error)}`);
    throw error;
  }
  if (stat.isDirectory()) {
    const inside = join(path, 'model.vaekit');
    throw new RunError(
      `--model-file ${path} is a folder, not a model file; ${existsSync(inside) ? `use ${inside}` : 'give the model.vaekit file inside a run folder'}`,
    );
  }
  if (!stat.isFile()) throw new RunError(`--model-file ${path} is not a regular file (a device or a pipe?); give a model.vaekit written by vaekit train`);
  return path;
}

/** Loads a saved model; a truncated or foreign file fails with core's CorruptFileError (one line). */
export async function loadModelFile(path: string): Promise<VaeModel> {
  return loadModel(requireModelFile(path));
}

/** How many of the model's weights are NaN or infinite, of how many: a diverged run saves such a model. */
export function nonFiniteWeights(model: VaeModel): { nonFinite: number; total: number } {
  let nonFinite = 0;
  let total = 0;
  for (const { variable } of model.variables()) {
    // dataSync on a variable reads its values without creating tensors, so nothing needs disposing.
    const values = variable.dataSync() as Float32Array;
    total += values.length;
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) nonFinite += 1;
  }
  return { nonFinite, total };
}

/** "3 of 52,000 weights are not finite (NaN or Inf)" for messages. */
export function describeNonFinite(path: string, counts: { nonFinite: number; total: number }): string {
  return `${path} has ${counts.nonFinite.toLocaleString('en-US')} of ${counts.total.toLocaleString('en-US')} weights that are not finite (NaN or Inf)`;
}

/** Which likelihood a saved model decodes with, for data checks and binarization defaults. */
export function likelihoodKind(config: ModelConfig): LikelihoodKind {
  const likelihood = config.likelihood as { type?: string } | undefined;
  return likelihood?.type === 'gaussian' ? 'gaussian' : 'bernoulli';
}

/**
 * Selects the backend, loads the model file on it, runs `use`, and disposes the model whatever happens:
 * the shared start of every command that works on a saved model. A model with NaN or infinite weights
 * gets one warning line, or (with `refuseNonFinite`, for eval, whose figures would all be NaN) an error.
 */
export async function withModelFile<T>(
  path: string | undefined,
  backend: string,
  options: { quiet?: boolean; refuseNonFinite?: boolean },
  use: (model: VaeModel, backend: BackendInfo) => Promise<T>,
): Promise<T> {
  const modelFile = requireModelFile(path);
  const info = await selectBackend(backend, options);
  const model = await loadModelFile(modelFile);
  try {
    const counts = nonFiniteWeights(model);
    if (counts.nonFinite > 0) {
      if (options.refuseNonFinite) {
        throw new RunError(
          `${describeNonFinite(modelFile, counts)}, so every figure would be NaN: the run diverged; retrain with a lower --lr or --kl-warmup, or evaluate an earlier model`,
        );
      }
      process.stderr.write(
        `warning: ${describeNonFinite(modelFile, counts)}; its output is not meaningful: the run diverged, retrain with a lower --lr or --kl-warmup\n`,
      );
    }
    return await use(model, info);
  } finally {
    model.dispose();
  }
}
