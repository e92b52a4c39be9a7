import {
  createModel,
  encodeDataset,
  getRegisteredModel,
  resolveConfig,
  train,
  type AsyncDataset,
  type SamplerDefinition,
  type SamplerFitOptions,
  type Dataset,
  type VaeModel,
} from '@vaekit/core';
import { valuesDataset } from '@vaekit/core/internal';
import { LadderBase } from '../ladder-base.js';
import { VAE_SCHEMA, type VaeConfig } from '../vae-config.js';
import { VqVae } from '../vq-vae.js';
import { TwoStageSampler } from './two-stage-sampler.js';
import { resolveTwoStageSettings, startingSigma, type TwoStageSettings } from './two-stage-settings.js';

export { TwoStageSampler, type TwoStageSamplerConfig } from './two-stage-sampler.js';
export type { TwoStageSettings } from './two-stage-settings.js';

// A loaded config is untrusted and builds its network before the file's weights are compared with it:
// these bound what one can make the loader allocate (the sampler file's own per-weight budget).
const MAX_STAGE2_ELEMENTS = 2 ** 26;
const MAX_STAGE2_WEIGHTS = 4096;

function unsupportedReason(model: VaeModel): string | undefined {
  if (model instanceof VqVae || model.className === 'VqVae') {
    return `the two-stage sampler models continuous codes, but a ${model.className}'s codes are codebook entries: fit it a sampler of code indices instead`;
  }
  if (model instanceof LadderBase || model.className === 'LadderVae' || model.className === 'LadderIafVae') {
    return `the two-stage sampler needs a single layer of latents, but a ${model.className}'s code stacks several layers that its own top-down prior already ties together`;
  }
  if (model.latentShape.length !== 1) {
    return `the two-stage sampler needs codes that are one vector per example, but the ${model.className}'s latent shape is [${model.latentShape}]`;
  }
  return undefined;
}

/** The first model's codes of one data set, checked to be finite: what the second stage trains or validates on. */
async function encodeCodes(
  model: VaeModel,
  data: AsyncDataset,
  stage: string,
  options: SamplerFitOptions,
): Promise<{ readonly dataset: Dataset; readonly codes: Float32Array; readonly rows: number }> {
  const onProgress = options.onProgress;
  const { codes, rows, size } = await encodeDataset(model, data, {
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    seed: options.seed ?? 0,
    ...(onProgress ? { onProgress: (done: number, total: number) => onProgress({ stage, done, total }) } : {}),
  });
  if (rows === 0) throw new RangeError(`the two-stage sampler has no codes to fit: the ${stage === 'encoding' ? 'training' : 'held-out'} data is empty`);
  const bad = codes.findIndex((value) => !Number.isFinite(value));
  if (bad >= 0) {
    throw new RangeError(
      `the ${model.className} encoded example ${Math.floor(bad / size)} to a non-finite code (${codes[bad]}): the two-stage sampler needs finite codes`,
    );
  }
  // Codes are real numbers, so never binary; a Gaussian p(code | u) models them.
  return { dataset: valuesDataset(codes, [size], false), codes, rows };
}

/** Dai and Wipf's second stage: a Vae over codes, with a Gaussian p(code | u) whose one variance is learned. */
function stage2Config(codeSize: number, settings: TwoStageSettings, sigma: number, seed: number): Partial<VaeConfig> & { className: 'Vae' } {
  return {
    className: 'Vae',
    inputShape: [codeSize],
    latentDim: settings.latentDim,
    architecture: { type: 'mlp', hiddenUnits: [...settings.hidden] },
    likelihood: { type: 'gaussian', variance: 'learned-global', sigma },
    seed,
  };
}

async function fit(model: VaeModel, options: SamplerFitOptions): Promise<TwoStageSampler> {
  const refused = unsupportedReason(model);
  if (refused) throw new TypeError(refused);
  const codeSize = model.latentShape[0]!;
  const settings = resolveTwoStageSettings(options.settings, {
    codeSize,
    batchSize: options.batchSize,
    hasHeldOut: options.heldOut !== undefined,
  });
  const seed = options.seed ?? 0;
  const { dataset, codes, rows } = await encodeCodes(model, options.train, 'encoding', options);
  const heldOut = options.heldOut ? (await encodeCodes(model, options.heldOut, 'encoding held-out', options)).dataset : undefined;
  const sigma = settings.initialSigma ?? startingSigma(codes, rows, codeSize);

  const stage2 = createModel(stage2Config(codeSize, settings, sigma, seed)) as VaeModel<VaeConfig>;
  try {
    await train(stage2, dataset, {
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      optimizer: { type: 'adam', learningRate: settings.learningRate },
      seed,
      // Held-out codes pick the epoch: the second stage overfits a small table of codes as any VAE does.
      ...(heldOut ? { validation: heldOut, earlyStopping: { patience: settings.patience, restoreBest: true } } : {}),
      onEpochEnd: (event) =>
        options.onProgress?.({ stage: 'epoch', done: event.epoch, total: event.epochs, value: event.validation?.total ?? event.train.total! }),
    });
    return new TwoStageSampler(model.latentShape, stage2);
  } catch (error) {
    stage2.dispose();
    throw error;
  }
}

function create(config: { readonly latentShape: readonly number[] } & Record<string, unknown>): TwoStageSampler {
  const { latentShape, stage2 } = config;
  if (latentShape.length !== 1) throw new RangeError(`a TwoStageSampler draws codes of rank 1, but its config's latent shape is [${latentShape}]`);
  if (typeof stage2 !== 'object' || stage2 === null || Array.isArray(stage2) || (stage2 as { className?: unknown }).className !== 'Vae') {
    throw new RangeError("a TwoStageSampler config needs stage2, the config of its second-stage Vae (className 'Vae')");
  }
  // Checked first, so a config that does not fit is refused before a weight is made.
  const resolved = resolveConfig(VAE_SCHEMA, stage2);
  if (resolved.inputShape.length !== 1 || resolved.inputShape[0] !== latentShape[0]) {
    throw new RangeError(`its second stage takes inputs of shape [${resolved.inputShape}], not codes of shape [${latentShape}]`);
  }
  const weights = getRegisteredModel('Vae').expectedWeights?.({ ...resolved }) ?? [];
  const elements = weights.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1), 0);
  if (weights.length > MAX_STAGE2_WEIGHTS || elements > MAX_STAGE2_ELEMENTS) {
    throw new RangeError(`its second stage would hold ${elements} numbers in ${weights.length} weights, more than a sampler file may`);
  }
  return new TwoStageSampler(latentShape, createModel(resolved) as VaeModel<VaeConfig>);
}

/**
 * Dai and Wipf's two-stage VAE as a sampler (short name 'two-stage'). Settings: epochs, batchSize,
 * learningRate, hidden, latentDim, patience, initialSigma (see `TwoStageSettings`).
 */
export const TWO_STAGE_SAMPLER: SamplerDefinition = {
  className: 'TwoStageSampler',
  name: 'two-stage',
  description: "a second VAE trained on the model's codes (Dai and Wipf 2019); its decoded prior draws are the codes",
  unsupportedReason,
  fit,
  create,
  testSettings: { hidden: [8], epochs: 2, batchSize: 8 },
};
