import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  createLikelihood,
  elbo,
  registerModel,
  type Likelihood,
  type GradientCheckTarget,
  type LossContext,
  type LossTerms,
  type ModelWithGradientCheckTargets,
  type ModelWithMetrics,
  type NamedVariable,
  type SeededRandom,
  type VaeModel,
} from '@vaekit/core';
import { asWeightSpecs, buildNetwork, planWeights, type NetworkPlan, type PlannedWeight } from './layer-plan.js';
import { decoderOutputShape, decoderPlan, encoderPlan, namedLayerVariables, run } from './networks.js';
import {
  codeCounts,
  deadCodeRestarts,
  emaStep,
  lookupCodes,
  nearestCodes,
  perplexityFromCounts,
} from './vq-codebook.js';
import { stopGradient, straightThrough } from './vq-stop-gradient.js';
import { resolveVqVaeConfig, type VqVaeConfig } from './vq-vae-config.js';
import { isTrainingCall } from './training-call.js';

/** The encoder (to numLatents · embeddingDim numbers per example, never normalized) and the decoder from the codes. */
function vqNetworkPlans(config: VqVaeConfig, likelihood: Pick<Likelihood, 'paramsPerValue'>): { encoder: NetworkPlan; decoder: NetworkPlan } {
  const flatUnits = config.numLatents * config.embeddingDim;
  return {
    encoder: encoderPlan(config.architecture, config.inputShape, flatUnits, config.seed * 1000 + 1),
    decoder: decoderPlan(config.architecture, flatUnits, decoderOutputShape(config.inputShape, likelihood), config.seed * 1000 + 500),
  };
}

type VqStateName = 'codebook' | 'emaCounts' | 'emaSums' | 'idleSteps';
const VQ_PREFIX = 'vq/';

function vqStateName(name: string): VqStateName {
  return name.slice(VQ_PREFIX.length) as VqStateName;
}

/**
 * The codebook and its bookkeeping, in `variables()`'s order: the codebook [K, D] (trained by its loss,
 * or moved by EMA), the EMA counts [K] and sums [K, D] in `ema` mode, and the per-code idle counters [K].
 */
function vqStateWeights(config: VqVaeConfig): PlannedWeight[] {
  const k = config.codebookSize;
  const d = config.embeddingDim;
  const ema = config.codebook === 'ema';
  const state = (name: VqStateName, shape: number[], trainable: boolean): PlannedWeight => ({
    name: `${VQ_PREFIX}${name}`,
    shape,
    dtype: 'float32',
    trainable,
  });
  return [
    state('codebook', [k, d], !ema),
    ...(ema ? [state('emaCounts', [k], false), state('emaSums', [k, d], false)] : []),
    state('idleSteps', [k], false),
  ];
}

/** The weights of a `VqVae` of a resolved config, in `variables()`'s order, without building it. */
export function vqVaeWeights(config: VqVaeConfig): PlannedWeight[] {
  const plans = vqNetworkPlans(config, createLikelihood(config.likelihood));
  return [...planWeights('encoder', plans.encoder), ...planWeights('decoder', plans.decoder), ...vqStateWeights(config)];
}

/**
 * VQ-VAE (van den Oord et al. 2017, "Neural Discrete Representation Learning"). The encoder emits
 * `numLatents` vectors z_e of size `embeddingDim` per example; each is replaced by its nearest code e_k
 * from a codebook of K vectors, and the decoder sees the codes. Gradients cross the quantization by the
 * straight-through estimator, z_q = z_e + sg(z_q - z_e). The objective is
 *
 *   -log p(x | z_q) + ||sg(z_e) - e||^2 + beta_c ||z_e - sg(e)||^2
 *
 * (squared errors summed over the latents of an example, batch means), with the codebook term replaced
 * by exponential moving averages when `codebook: 'ema'`. `total` is that objective.
 *
 * The posterior is deterministic (one-hot on the nearest code) and the prior uniform over the K codes,
 * so KL(q || p) = numLatents * log K, a constant: it is reported as `kl` so that the ELBO,
 * log p(x|z_q) - numLatents log K, compares with the other variants, but it never enters `total`.
 *
 * State changes (EMA statistics, per-code idle counters, dead-code restarts) happen only in a training
 * call (see `isTrainingCall`), and before the batch is quantized for the loss: each training step first
 * moves the codebook with the batch, then computes the loss and its gradients with the moved codebook.
 * The loss returned is therefore one well-defined function of the trainable weights.
 */
export class VqVae implements VaeModel<VqVaeConfig>, ModelWithMetrics, ModelWithGradientCheckTargets {
  readonly className: string;
  readonly inputShape: readonly number[];
  /** One example's code: numLatents quantized vectors of size embeddingDim. */
  readonly latentShape: readonly number[];
  private readonly config: VqVaeConfig;
  private readonly likelihood: Likelihood;
  private readonly encoderNet: tfl.Sequential;
  private readonly decoderNet: tfl.Sequential;
  private readonly codebook: tf.Variable<tf.Rank.R2>;
  private readonly emaCounts: tf.Variable<tf.Rank.R1> | null;
  private readonly emaSums: tf.Variable<tf.Rank.R2> | null;
  private readonly idleSteps: tf.Variable<tf.Rank.R1>;

  constructor(config: VqVaeConfig) {
    this.config = config;
    this.className = config.className;
    this.inputShape = [...config.inputShape];
    this.latentShape = [config.numLatents, config.embeddingDim];
    this.likelihood = createLikelihood(config.likelihood);
    const plans = vqNetworkPlans(config, this.likelihood);
    this.encoderNet = buildNetwork(plans.encoder);
    this.decoderNet = buildNetwork(plans.decoder);

    const k = config.codebookSize;
    const d = config.embeddingDim;
    const scale = config.codebookInitScale;
    // tfjs draws seeded random numbers in JavaScript: the same codebook on every backend.
    const initial = tf.randomUniform([k, d], -scale, scale, 'float32', config.seed * 1000 + 900);
    const ema = config.codebook === 'ema';
    // Variables escape tf.tidy; the initial values made here do not.
    this.codebook = tf.tidy(() => tf.variable(initial, !ema)) as tf.Variable<tf.Rank.R2>;
    // EMA statistics start consistent with the initial codebook: one pseudo-count per code, sum = code.
    this.emaCounts = ema ? (tf.tidy(() => tf.variable(tf.ones([k]), false)) as tf.Variable<tf.Rank.R1>) : null;
    this.emaSums = ema ? (tf.tidy(() => tf.variable(initial, false)) as tf.Variable<tf.Rank.R2>) : null;
    this.idleSteps = tf.tidy(() => tf.variable(tf.zeros([k]), false)) as tf.Variable<tf.Rank.R1>;
    initial.dispose();
  }

  getConfig(): VqVaeConfig {
    return structuredClone(this.config);
  }

  /** The continuous encoder outputs z_e, [batch, numLatents, embeddingDim]. */
  encodeContinuous(x: tf.Tensor): tf.Tensor3D {
    this.checkInput(x);
    return tf.tidy(() => tf.reshape(run(this.encoderNet, x), [x.shape[0]!, this.config.numLatents, this.config.embeddingDim]));
  }

  /** Index of the nearest code for every latent vector of each example: int32 [batch, numLatents]. */
  codeIndices(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const flat = this.flatten(this.encodeContinuous(x));
      return tf.reshape(nearestCodes(flat, this.codebook), [x.shape[0]!, this.config.numLatents]) as tf.Tensor2D;
    });
  }

  /** The quantized code z_q: each encoder vector replaced by its nearest code. */
  encode(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.gather(this.codebook, this.codeIndices(x)));
  }

  /** Likelihood parameters for codes of shape [batch, numLatents, embeddingDim] (or flattened). */
  decode(z: tf.Tensor): tf.Tensor {
    return tf.tidy(() => run(this.decoderNet, tf.reshape(z, [z.shape[0]!, this.config.numLatents * this.config.embeddingDim])));
  }

  reconstruct(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.likelihood.mean(this.decode(this.encode(x))));
  }

  /**
   * Decodes codes drawn uniformly and independently from the codebook — the VQ-VAE's training prior.
   * Such samples are poor: what makes VQ-VAE samples good is a learned autoregressive prior over the
   * code indices (PixelCNN, WaveNet, a transformer) fitted after training, which this model does not include.
   */
  sample(n: number, rng: SeededRandom): tf.Tensor {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`sample count must be a whole number >= 1, got ${n}`);
    const k = this.config.codebookSize;
    return tf.tidy(() => {
      const picks = tf.cast(tf.clipByValue(tf.floor(tf.mul(rng.uniform([n, this.config.numLatents]), k)), 0, k - 1), 'int32');
      return this.likelihood.mean(this.decode(tf.gather(this.codebook, picks)));
    });
  }

  loss(x: tf.Tensor, context: LossContext): LossTerms {
    return tf.tidy(() => {
      const zE = this.encodeContinuous(x);
      const flat = this.flatten(zE);
      if (isTrainingCall(context)) this.updateCodebookState(flat, context.rng);

      const zQ = tf.reshape(lookupCodes(nearestCodes(flat, this.codebook), this.codebook), [...zE.shape]) as tf.Tensor3D;
      const sumOfSquares = (a: tf.Tensor, b: tf.Tensor): tf.Scalar => tf.mean(tf.sum(tf.square(tf.sub(a, b)), [1, 2]));
      const codebookLoss = sumOfSquares(stopGradient(zE), zQ);
      const commitment = tf.mul(this.config.commitmentCost, sumOfSquares(zE, stopGradient(zQ))) as tf.Scalar;
      const logLikelihood = this.likelihood.logProb(this.decode(straightThrough(zE, zQ)), x);
      const kl = tf.fill([x.shape[0]!], this.constantKl()) as tf.Tensor1D;
      // beta 0: the constant KL is reported, not optimized.
      const terms = elbo(logLikelihood, kl, { beta: 0 });
      const penalties = this.config.codebook === 'loss' ? tf.add(codebookLoss, commitment) : commitment;
      return {
        total: tf.add(terms.reconstruction, penalties) as tf.Scalar,
        reconstruction: terms.reconstruction,
        kl: terms.kl,
        codebook: codebookLoss,
        commitment,
      };
    });
  }

  /**
   * The straight-through gradient is not the derivative of the loss value (the quantizer is piecewise
   * constant), but each part of it is an exact derivative of something, and those are what a
   * finite-difference check can verify at the current weights:
   * - decoder weights: the loss itself (they do not move the code assignments);
   * - encoder weights: reconstruction at z_e + (z_q - z_e) with the offset frozen, plus the commitment
   *   loss against the frozen codes — exactly what the straight-through estimator differentiates;
   * - the codebook (when trained by its loss): the codebook loss with the encoder outputs and the
   *   assignments frozen.
   */
  gradientCheckTargets(x: tf.Tensor, context: LossContext): { targets: GradientCheckTarget[]; dispose(): void } {
    const frozen = tf.tidy(() => {
      const zE = this.encodeContinuous(x);
      const indices = nearestCodes(this.flatten(zE), this.codebook);
      const zQ = tf.reshape(lookupCodes(indices, this.codebook), [...zE.shape]);
      return { zE, indices, zQ, offset: tf.sub(zQ, zE) };
    });
    const sumOfSquares = (a: tf.Tensor, b: tf.Tensor): tf.Scalar => tf.mean(tf.sum(tf.square(tf.sub(a, b)), [1, 2]));
    const trainable = (prefix: string): tf.Variable[] =>
      this.variables().filter((v) => v.trainable && v.name.startsWith(prefix)).map((v) => v.variable);
    const targets: GradientCheckTarget[] = [
      {
        name: 'decoder',
        variables: trainable('decoder/'),
        objective: () => this.loss(x, { ...context, training: false }).total,
      },
      {
        name: 'encoder (straight-through)',
        variables: trainable('encoder/'),
        objective: () =>
          tf.tidy(() => {
            const zE = this.encodeContinuous(x);
            const reconstruction = tf.neg(tf.mean(this.likelihood.logProb(this.decode(tf.add(zE, frozen.offset)), x)));
            return tf.add(reconstruction, tf.mul(this.config.commitmentCost, sumOfSquares(zE, frozen.zQ))) as tf.Scalar;
          }),
      },
    ];
    if (this.config.codebook === 'loss') {
      targets.push({
        name: 'codebook',
        variables: [this.codebook],
        objective: () =>
          tf.tidy(() => sumOfSquares(frozen.zE, tf.reshape(lookupCodes(frozen.indices, this.codebook), [...frozen.zE.shape]))),
      });
    }
    return { targets, dispose: () => tf.dispose(Object.values(frozen)) };
  }

  /**
   * log p(x | z_q) + log p(z_q) - log q(z_q | x) = log p(x | z_q) - numLatents log K for each of the k
   * draws. The posterior is deterministic, so all k draws are the same code and the log-weights are
   * equal: the IWAE bound is the ELBO for every k.
   */
  logWeights(x: tf.Tensor, k: number, _rng: SeededRandom): tf.Tensor2D {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a whole number >= 1, got ${k}`);
    return tf.tidy(() => {
      const logLikelihood = this.likelihood.logProb(this.decode(this.encode(x)), x);
      const weights = tf.sub(logLikelihood, this.constantKl());
      return tf.tile(tf.expandDims(weights, 0), [k, 1]) as tf.Tensor2D;
    });
  }

  /**
   * Codebook usage over the batch: `perplexity` = exp(entropy of the code frequencies), between 1 (one
   * code) and K (all codes equally), and `usedCodes`, how many codes at least one latent chose.
   */
  metrics(x: tf.Tensor): Record<string, number> {
    const counts = tf.tidy(() => codeCounts(tf.reshape(this.codeIndices(x), [-1]) as tf.Tensor1D, this.config.codebookSize));
    const values = counts.dataSync();
    counts.dispose();
    return { perplexity: perplexityFromCounts(values), usedCodes: values.filter((c) => c > 0).length };
  }

  variables(): NamedVariable[] {
    const state: Record<VqStateName, tf.Variable | null> = {
      codebook: this.codebook,
      emaCounts: this.emaCounts,
      emaSums: this.emaSums,
      idleSteps: this.idleSteps,
    };
    return [
      ...namedLayerVariables('encoder', this.encoderNet),
      ...namedLayerVariables('decoder', this.decoderNet),
      // vqStateWeights says which state this config has, and its names: one list for both.
      ...vqStateWeights(this.config).map(({ name, trainable }) => ({ name, variable: state[vqStateName(name)]!, trainable })),
    ];
  }

  dispose(): void {
    this.encoderNet.dispose();
    this.decoderNet.dispose();
    tf.dispose([this.codebook, this.idleSteps, ...(this.emaCounts ? [this.emaCounts] : []), ...(this.emaSums ? [this.emaSums] : [])]);
  }

  /** KL(q || p) per example for a one-hot posterior and a uniform prior over K codes per latent. */
  private constantKl(): number {
    return this.config.numLatents * Math.log(this.config.codebookSize);
  }

  private flatten(zE: tf.Tensor): tf.Tensor2D {
    return tf.reshape(zE, [-1, this.config.embeddingDim]) as tf.Tensor2D;
  }

  /**
   * One training step's codebook bookkeeping, from the batch's encoder outputs under the current codebook:
   * the EMA step (in `ema` mode), idle counters, and restarts of codes idle for `deadCodeRestartSteps`.
   * Nothing here is differentiated: the new values are assigned to the state variables.
   */
  private updateCodebookState(flat: tf.Tensor2D, rng: SeededRandom): void {
    const { codebookSize: k, deadCodeRestartSteps: restartAfter } = this.config;
    tf.tidy(() => {
      const vectors = stopGradient(flat);
      const indices = nearestCodes(vectors, this.codebook);
      const counts = codeCounts(indices, k);
      let codebook: tf.Tensor2D = this.codebook;
      let emaCounts: tf.Tensor1D | null = null;
      let emaSums: tf.Tensor2D | null = null;
      if (this.emaCounts && this.emaSums) {
        const step = emaStep({ counts: this.emaCounts, sums: this.emaSums }, vectors, indices, this.config.emaDecay, this.config.emaEpsilon);
        ({ codebook, counts: emaCounts, sums: emaSums } = step);
      }
      if (restartAfter > 0) {
        const restarts = deadCodeRestarts(this.idleSteps, counts, vectors, rng.uniform([k]) as tf.Tensor1D, restartAfter);
        const rows = tf.expandDims(restarts.restart, 1);
        codebook = tf.where(rows, restarts.candidates, codebook) as tf.Tensor2D;
        if (emaCounts && emaSums) {
          // A restarted code's statistics start over like a fresh code's: one pseudo-count at its new value.
          emaCounts = tf.where(restarts.restart, tf.onesLike(emaCounts), emaCounts) as tf.Tensor1D;
          emaSums = tf.where(rows, restarts.candidates, emaSums) as tf.Tensor2D;
        }
        this.idleSteps.assign(restarts.idleSteps);
      } else {
        this.idleSteps.assign(tf.where(tf.greater(counts, 0), tf.zerosLike(this.idleSteps), tf.add(this.idleSteps, 1)) as tf.Tensor1D);
      }
      if (codebook !== this.codebook) this.codebook.assign(codebook);
      if (emaCounts) this.emaCounts?.assign(emaCounts);
      if (emaSums) this.emaSums?.assign(emaSums);
    });
  }

  private checkInput(x: tf.Tensor): void {
    if (!tf.util.arraysEqual(x.shape.slice(1), [...this.inputShape])) {
      throw new RangeError(`${this.className} expects inputs of shape [batch, ${this.inputShape}], got [${x.shape}]`);
    }
  }
}

export function createVqVae(config: Partial<VqVaeConfig> = {}): VqVae {
  return new VqVae(resolveVqVaeConfig(config));
}

registerModel(
  {
    className: 'VQVAE',
    description: 'VQ-VAE: nearest-code quantization, straight-through gradients, commitment loss, EMA codebook, dead-code restarts',
    create: (config) => createVqVae(config as Partial<VqVaeConfig>),
    expectedWeights: (config) => asWeightSpecs(vqVaeWeights(resolveVqVaeConfig(config as Partial<VqVaeConfig>))),
    testConfig: {
      inputShape: [12],
      architecture: { type: 'mlp', hiddenUnits: [10] },
      numLatents: 2,
      embeddingDim: 4,
      codebookSize: 8,
      // Codes spread wider than the initial encoder outputs: no nearest-code assignment of the test
      // batch is within reach of a finite-difference step.
      codebookInitScale: 2,
      codebook: 'ema',
      deadCodeRestartSteps: 10,
    },
  },
  { replace: true },
);
