import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Dataset, VaeModel } from '@vaekit/core';
import { isMnist, loadTrainingData, resolveBinarization } from '../data-source.js';
import { likelihoodOf } from '../models.js';
import type { RunFacts } from '../run-facts.js';
import { RUN_FILES } from '../run-folder.js';

/** Held-out examples a fit may use for its choices: train's own cap, so both see the same rows. */
const HELD_OUT_LIMIT = 2000;

/** The examples a sampler is fitted on and those held out from it, with words for messages. */
export interface SamplerFitData {
  readonly train: Dataset;
  readonly heldOut: Dataset;
  readonly description: string;
}

/**
 * The data a sampler is fitted on. On the run's own data (the default), exactly the rows `vaekit train`
 * trained on and held out: its split, its binarization and seed, and its `--limit` unless `limit` is
 * given. Elsewhere (`--data` another source, or a model file outside a run folder) the source's training
 * rows with a fresh split from `seed`, as a new run on it would have.
 */
export function samplerFitData(
  model: VaeModel,
  flags: { readonly data?: string | undefined },
  run: RunFacts | null,
  seed: number,
  limit: number | undefined,
): SamplerFitData {
  const source = flags.data ?? run?.data ?? 'mnist';
  const ownRun = run !== null && (isMnist(source) ? isMnist(run.data) : !isMnist(run.data) && resolve(source) === resolve(run.data)) ? run : null;
  const trained = ownRun ? runTrainingArgs(ownRun.folder) : { seed, limit: null };
  const rows = limit ?? trained.limit ?? undefined;
  const likelihood = likelihoodOf(model);
  const channels = ownRun?.channels ?? imageChannels(model.inputShape);
  const data = loadTrainingData({
    source,
    likelihood,
    binarize: ownRun ? ownRun.binarize : resolveBinarization(undefined, source, likelihood),
    seed: trained.seed,
    image: model.inputShape.length === 3,
    expectedShape: model.inputShape,
    heldOutLimit: Math.min(HELD_OUT_LIMIT, rows ?? HELD_OUT_LIMIT),
    ...(rows !== undefined ? { limit: rows } : {}),
    ...(ownRun && !isMnist(source) ? { split: ownRun.split } : {}),
    ...(channels !== undefined ? { channels } : {}),
  });
  const whose = ownRun ? "the run's" : 'the';
  return {
    train: data.train,
    heldOut: data.heldOut,
    description: `${whose} ${data.train.size} training examples of ${source}, holding out ${data.heldOutName}`,
  };
}

/** The seed and `--limit` a run trained with, from its config.json (readable: locateRun has read it). */
function runTrainingArgs(folder: string): { seed: number; limit: number | null } {
  const parsed = JSON.parse(readFileSync(join(folder, RUN_FILES.config), 'utf8')) as { args: Record<string, unknown> };
  const { seed, limit } = parsed.args;
  return {
    seed: typeof seed === 'number' && Number.isSafeInteger(seed) ? seed : 0,
    limit: typeof limit === 'number' && Number.isSafeInteger(limit) && limit > 0 ? limit : null,
  };
}

/** The PNG channels an image model's input shape implies; undefined for flat inputs. */
function imageChannels(shape: readonly number[]): 1 | 3 | 4 | undefined {
  const c = shape.length === 3 ? shape[2] : undefined;
  return c === 1 || c === 3 || c === 4 ? c : undefined;
}
