import * as tf from '@tensorflow/tfjs-core';
import {
  checkWholeCount,
  SeededRandom,
  type LatentSampler,
  type NamedVariable,
  type SamplerConfig,
  type SamplerDefinition,
  type SamplerFitOptions,
  type VaeModel,
} from '@vaekit/core';
import { codeModelProblem, requireVqCodeModel, type VqCodeModel } from './vq-code-model.js';
import { collectCodes, splitHeldOut, trainCodePrior } from './vq-code-prior-fit.js';
import { CodePriorNetwork } from './vq-code-prior-network.js';
import { checkHiddenUnits, resolveCodePriorSettings } from './vq-code-prior-settings.js';

/** What a code prior's file records: the sequence it models and its network's size. */
export interface VqCodePriorConfig extends SamplerConfig {
  readonly className: 'VqCodePriorSampler';
  /** L: codes per example. */
  readonly numLatents: number;
  /** K: codebook size. */
  readonly codebookSize: number;
  /** Units of each masked hidden layer. */
  readonly hidden: readonly number[];
}

/** Weights a loaded config may ask for before its file's weights are checked against them. */
const MAX_WEIGHTS = 1 << 27;

/** Keeps a uniform of exactly 0 or 1 from turning into an infinite Gumbel draw. */
const UNIFORM_FLOOR = 1e-10;

function checkConfig(config: SamplerConfig & Record<string, unknown>): VqCodePriorConfig {
  const { latentShape, numLatents, codebookSize } = config;
  if (latentShape.length !== 2 || latentShape[0] !== numLatents) {
    throw new RangeError(`a VqCodePriorSampler's latentShape must be [numLatents, embeddingDim] = [${String(numLatents)}, D], got [${latentShape}]`);
  }
  if (typeof codebookSize !== 'number' || !Number.isSafeInteger(codebookSize) || codebookSize < 2) {
    throw new RangeError(`a VqCodePriorSampler's codebookSize must be a whole number >= 2, got ${JSON.stringify(codebookSize)}`);
  }
  const hidden = checkHiddenUnits(config.hidden);
  const inputs = latentShape[0]! * codebookSize;
  const widths = [inputs, ...hidden, inputs];
  const weights = widths.slice(1).reduce((sum, units, i) => sum + widths[i]! * units + units, 0);
  if (weights > MAX_WEIGHTS) throw new RangeError(`a VqCodePriorSampler of ${weights} weights is larger than the ${MAX_WEIGHTS} allowed`);
  return { className: 'VqCodePriorSampler', latentShape: [...latentShape], numLatents: latentShape[0]!, codebookSize, hidden };
}

/**
 * A learned prior for a VQ-VAE: an autoregressive model p(c_1..c_L) = Π p(c_i | c_<i) of the code
 * indices its encoder gives the training data (a masked MADE network), in place of the uniform,
 * independent codes the VQ-VAE was trained against. Drawing is ancestral, one position per pass, each
 * index by Gumbel-max; the codes are the codebook vectors at the drawn indices.
 */
export class VqCodePriorSampler implements LatentSampler<VqCodePriorConfig> {
  readonly className = 'VqCodePriorSampler';
  readonly latentShape: readonly number[];
  private readonly config: VqCodePriorConfig;
  private readonly network: CodePriorNetwork;

  /** Hidden kernels start Glorot-uniform with `seed`, or at zero without one; the logits start at zero (the uniform prior) either way. */
  constructor(config: SamplerConfig & Record<string, unknown>, seed?: number) {
    this.config = checkConfig(config);
    this.latentShape = [...this.config.latentShape];
    const { numLatents, codebookSize, hidden } = this.config;
    this.network = new CodePriorNetwork({ numLatents, codebookSize, hidden, ...(seed === undefined ? {} : { seed }) });
  }

  getConfig(): VqCodePriorConfig {
    return { ...this.config, latentShape: [...this.config.latentShape], hidden: [...this.config.hidden] };
  }

  summary(): string {
    const { numLatents, codebookSize, hidden } = this.config;
    return `an autoregressive (MADE) prior over ${numLatents} code indices of ${codebookSize}, hidden layers [${hidden}]`;
  }

  /** log p(c) in nats of each code sequence, int32 [n, numLatents] (a VQ-VAE's `codeIndices`) → [n]. */
  logProb(indices: tf.Tensor): tf.Tensor1D {
    return this.network.logProb(indices);
  }

  /** Logits [n, numLatents, K] of each position given the earlier ones. */
  logits(indices: tf.Tensor): tf.Tensor3D {
    return this.network.logits(indices);
  }

  /** n index sequences, int32 [n, numLatents], drawn position by position. */
  sampleIndices(n: number, rng: SeededRandom): tf.Tensor2D {
    checkWholeCount('sample count', n);
    const { numLatents, codebookSize } = this.config;
    return tf.tidy(() => {
      const drawn: tf.Tensor[] = [];
      for (let i = 0; i < numLatents; i++) {
        drawn.push(
          tf.tidy(() => {
            // Positions not drawn yet hold 0; the logits of position i do not read them.
            const codes = tf.concat([...drawn.map((c) => tf.reshape(c, [n, 1])), tf.zeros([n, numLatents - i], 'int32')], 1);
            const logits = tf.reshape(tf.slice(this.network.logits(codes), [0, i, 0], [n, 1, codebookSize]), [n, codebookSize]);
            const u = tf.clipByValue(rng.uniform([n, codebookSize]), UNIFORM_FLOOR, 1 - UNIFORM_FLOOR);
            const gumbel = tf.neg(tf.log(tf.neg(tf.log(u))));
            return tf.cast(tf.argMax(tf.add(logits, gumbel), 1), 'int32');
          }),
        );
      }
      return tf.stack(drawn, 1) as tf.Tensor2D;
    });
  }

  sampleLatents(model: VaeModel, n: number, rng: SeededRandom): tf.Tensor {
    const codeModel = this.checkModel(model);
    return tf.tidy(() => tf.gather(codeModel.codebook, this.sampleIndices(n, rng)));
  }

  variables(): NamedVariable[] {
    return this.network.variables('made');
  }

  dispose(): void {
    this.network.dispose();
  }

  /** The model as a VQ-VAE of this sampler's code count and codebook size, or an error saying how it differs. */
  checkModel(model: VaeModel): VqCodeModel {
    const codeModel = requireVqCodeModel(model);
    const { numLatents, codebookSize } = this.config;
    if (model.latentShape[0] !== numLatents || codeModel.codebook.shape[0] !== codebookSize) {
      throw new RangeError(
        `this VqCodePriorSampler models ${numLatents} codes from a codebook of ${codebookSize}, but the ${model.className} has ` +
          `${model.latentShape[0]} codes from a codebook of ${codeModel.codebook.shape[0]}: fit the sampler to this model`,
      );
    }
    return codeModel;
  }
}

async function fitCodePrior(model: VaeModel, options: SamplerFitOptions): Promise<VqCodePriorSampler> {
  const codeModel = requireVqCodeModel(model);
  const settings = resolveCodePriorSettings(options.settings, options.batchSize);
  const seed = options.seed ?? 0;
  const rng = new SeededRandom(seed);
  const encodeOptions = (stage: string) => ({
    batchSize: options.batchSize ?? 256,
    seed,
    onProgress: (done: number, total: number) => options.onProgress?.({ stage, done, total }),
  });
  const codes = await collectCodes(codeModel, options.train, encodeOptions('encoding'));
  const data = options.heldOut
    ? { train: codes, heldOut: await collectCodes(codeModel, options.heldOut, encodeOptions('encoding held-out')) }
    : splitHeldOut(codes, rng);
  if (data.heldOut.rows < 1) throw new RangeError('the code prior needs at least one held-out example to choose its epoch; heldOut is empty');
  const config = {
    className: 'VqCodePriorSampler',
    latentShape: [...model.latentShape],
    numLatents: model.latentShape[0]!,
    codebookSize: codeModel.codebook.shape[0],
    hidden: settings.hidden,
  };
  const sampler = new VqCodePriorSampler(config, rng.nextSeed());
  try {
    await trainCodePrior(sampler, data, settings, rng, options.onProgress);
  } catch (error) {
    sampler.dispose();
    throw error;
  }
  return sampler;
}

/** The code prior's registry entry, `code-prior`: VQ-VAEs only. */
export const VQ_CODE_PRIOR_SAMPLER: SamplerDefinition = {
  className: 'VqCodePriorSampler',
  name: 'code-prior',
  description: "VQ-VAE only: an autoregressive (masked, MADE) prior over the code indices, fitted to the training data's codes",
  unsupportedReason: codeModelProblem,
  fit: fitCodePrior,
  testSettings: { hidden: [16], epochs: 2, batchSize: 16 },
  create: (config) => new VqCodePriorSampler(config),
};
