import { existsSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { VaeModel } from '@vaekit/core';
import { loadModel } from '@vaekit/core/node';
import type { BackendInfo } from '@vaekit/backends';
import { selectBackend } from './backend.js';
import { describeFsError, isFsError, RunError, UsageError } from './errors.js';
// Registers every built-in model class, which loading a model file looks up by name.
import '@vaekit/variants';

/**
 * Checks `--model-file` names an existing regular file: called before the backend loads, so a typo fails
 * fast, and before reading, so a folder or a device (/dev/zero would be read forever) never is.
 */
export function requireModelFile(path: string | undefined): string {
  if (!path) throw new UsageError('--model-file is required (a model.vaekit written by `vaekit train`)');
  let stat: Stats;
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
