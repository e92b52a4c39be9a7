import * as tf from '@tensorflow/tfjs-core';
import {
  elbo,
  tileDraws,
  type ExportableNetworks,
  type GradientCheckTarget,
  type LossContext,
  type LossTerms,
  type ModelWithExport,
  type ModelWithGradientCheckTargets,
  type ModelWithMetrics,
  type ModelWithStepState,
  type NamedVariable,
  type SeededRandom,
} from '@vaekit/core';
import { EncoderDecoder, encoderDecoderPlans, encoderDecoderWeights } from './encoder-decoder.js';
import type { PlannedWeight } from './layer-plan.js';
import { ModelBase } from './model-base.js';
import { defineVariant, TINY_NETWORK } from './variant-definition.js';
import { codeCounts, lookupCodes, nearestCodes, perplexityFromCounts } from './vq-codebook.js';
import { CodebookState, vqStateWeights } from './vq-codebook-state.js';
import { sumOfSquares, vqGradientCheckTargets } from './vq-gradient-targets.js';
import { stopGradient, straightThrough } from './vq-stop-gradient.js';
import { VQ_VAE_SCHEMA, type VqVaeConfig } from './vq-vae-config.js';

/** The encoder (to numLatents · embeddingDim numbers per example, never normalized) and the decoder from the codes. */
function vqNetworkPlans(config: VqVaeConfig) {
  const flatUnits = config.numLatents * config.embeddingDim;
  return encoderDecoderPlans(config, flatUnits, flatUnits);
}

/** The weights of a `VqVae` of a resolved config, in `variables()`'s order, without building it. */
export function vqVaeWeights(config: VqVaeConfig): PlannedWeight[] {
  const { encoder, decoder } = encoderDecoderWeights(vqNetworkPlans(config));
  return [...encoder, ...decoder, ...vqStateWeights(config)];
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
 * State changes (EMA statistics, per-code idle counters, dead-code restarts) happen only in
 * `trainingStep`, which the trainer calls before the loss: each training step first moves the codebook
 * with the batch, then computes the loss and its gradients with the moved codebook. `loss` changes
 * nothing, and is one well-defined function of the trainable weights.
 */
export class VqVae
  extends ModelBase<VqVaeConfig>
  implements ModelWithMetrics, ModelWithGradientCheckTargets, ModelWithStepState, ModelWithExport
{
  private readonly nets: EncoderDecoder;
  private readonly state: CodebookState;

  constructor(config: VqVaeConfig) {
    // One example's code: numLatents quantized vectors of size embeddingDim.
    super(config, [config.numLatents, config.embeddingDim]);
    this.nets = new EncoderDecoder(vqNetworkPlans(config));
    this.state = new CodebookState(config);
  }

  /** The codebook [K, D]. */
  get codebook(): tf.Variable<tf.Rank.R2> {
    return this.state.codebook;
  }

  get learnsCodebookByLoss(): boolean {
    return this.config.codebook === 'loss';
  }

  get commitmentCost(): number {
    return this.config.commitmentCost;
  }

  /** The continuous encoder outputs z_e, [batch, numLatents, embeddingDim]. */
  encodeContinuous(x: tf.Tensor): tf.Tensor3D {
    this.checkInput(x);
    return tf.tidy(() => tf.reshape(this.nets.encode(x), [x.shape[0]!, this.config.numLatents, this.config.embeddingDim]));
  }

  /** Index of the nearest code for every latent vector of each example: int32 [batch, numLatents]. */
  codeIndices(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const flat = this.flatten(this.encodeContinuous(x));
      return tf.reshape(nearestCodes(flat, this.codebook), [x.shape[0]!, this.config.numLatents]) as tf.Tensor2D;
    });
  }

  /**
   * The encoder to the vectors before quantization, the decoder from quantized vectors, and the codebook;
   * quantizing (each vector to its nearest code) is left to the consumer.
   */
  exportableNetworks(): ExportableNetworks {
    const { numLatents, embeddingDim, codebookSize } = this.config;
    return {
      encoder: this.nets.encoder,
      decoder: this.nets.decoder,
      encoderOutput: { kind: 'code' },
      codeShape: [numLatents, embeddingDim],
      codebook: this.codebook,
      notes: [
        `VqVae: the exported encoder gives the ${numLatents} vectors z_e before quantization, [batch, ${numLatents}, ${embeddingDim}]; ` +
          `vaekit's encode replaces each by its nearest codebook vector (least squared distance), which the consumer does itself. ` +
          `The codebook model maps code indices [batch, ${numLatents}] (int32, 0 to ${codebookSize - 1}) to those vectors, and the decoder ` +
          'maps quantized vectors [batch, numLatents, embeddingDim] to the likelihood mean.',
      ],
    };
  }

  /** The quantized code z_q: each encoder vector replaced by its nearest code. */
  encode(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.gather(this.codebook, this.codeIndices(x)));
  }

  /** Likelihood parameters for codes of shape [batch, numLatents, embeddingDim] (or flattened). */
  decode(z: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.nets.decode(tf.reshape(z, [z.shape[0]!, this.config.numLatents * this.config.embeddingDim])));
  }

  /** Moves the codebook state with the batch: EMA statistics, idle counters, dead-code restarts. */
  trainingStep(x: tf.Tensor, context: LossContext): void {
    tf.tidy(() => this.state.step(this.flatten(this.encodeContinuous(x)), context.rng));
  }

  loss(x: tf.Tensor, _context: LossContext): LossTerms {
    return tf.tidy(() => {
      const zE = this.encodeContinuous(x);
      const zQ = tf.reshape(lookupCodes(nearestCodes(this.flatten(zE), this.codebook), this.codebook), [...zE.shape]) as tf.Tensor3D;
      const codebookLoss = sumOfSquares(stopGradient(zE), zQ);
      const commitment = tf.mul(this.config.commitmentCost, sumOfSquares(zE, stopGradient(zQ))) as tf.Scalar;
      const logLikelihood = this.logLikelihood(x, straightThrough(zE, zQ));
      const kl = tf.fill([x.shape[0]!], this.constantKl()) as tf.Tensor1D;
      // beta 0: the constant KL is reported, not optimized.
      const terms = elbo(logLikelihood, kl, { beta: 0 });
      const penalties = this.learnsCodebookByLoss ? tf.add(codebookLoss, commitment) : commitment;
      return {
        total: tf.add(terms.reconstruction, penalties) as tf.Scalar,
        reconstruction: terms.reconstruction,
        kl: terms.kl,
        codebook: codebookLoss,
        commitment,
      };
    });
  }

  gradientCheckTargets(x: tf.Tensor, context: LossContext): { targets: GradientCheckTarget[]; dispose(): void } {
    return vqGradientCheckTargets(this, x, context);
  }

  /**
   * Codebook usage over the batch: `perplexity` = exp(entropy of the code frequencies), between 1 (one
   * code) and K (all codes equally), and `usedCodes`, how many codes at least one latent chose.
   */
  async metrics(x: tf.Tensor): Promise<Record<string, number>> {
    const counts = tf.tidy(() => codeCounts(tf.reshape(this.codeIndices(x), [-1]) as tf.Tensor1D, this.config.codebookSize));
    const values = await counts.data();
    counts.dispose();
    return { perplexity: perplexityFromCounts(values), usedCodes: values.filter((c) => c > 0).length };
  }

  protected modelVariables(): NamedVariable[] {
    return [...this.nets.encoderVariables(), ...this.nets.decoderVariables(), ...this.state.variables()];
  }

  protected disposeModel(): void {
    this.nets.dispose();
    this.state.dispose();
  }

  /**
   * Codes drawn uniformly and independently from the codebook — the VQ-VAE's training prior. Such samples
   * are poor: what makes VQ-VAE samples good is a learned autoregressive prior over the code indices
   * (PixelCNN, WaveNet, a transformer) fitted after training, which this model does not include.
   */
  protected priorCodes(n: number, rng: SeededRandom): tf.Tensor {
    const k = this.config.codebookSize;
    const picks = tf.cast(tf.clipByValue(tf.floor(tf.mul(rng.uniform([n, this.config.numLatents]), k)), 0, k - 1), 'int32');
    return tf.gather(this.codebook, picks);
  }

  /**
   * log p(x | z_q) + log p(z_q) - log q(z_q | x) = log p(x | z_q) - numLatents log K for each of the k
   * draws. The posterior is deterministic, so all k draws are the same code and the log-weights are
   * equal: the IWAE bound is the ELBO for every k.
   */
  protected drawLogWeights(x: tf.Tensor, k: number): tf.Tensor1D {
    return tileDraws(tf.sub(this.logLikelihood(x, this.encode(x)), this.constantKl()), k) as tf.Tensor1D;
  }

  /** KL(q || p) per example for a one-hot posterior and a uniform prior over K codes per latent. */
  private constantKl(): number {
    return this.config.numLatents * Math.log(this.config.codebookSize);
  }

  private flatten(zE: tf.Tensor): tf.Tensor2D {
    return tf.reshape(zE, [-1, this.config.embeddingDim]) as tf.Tensor2D;
  }
}

export const vqVaeVariant = defineVariant(VQ_VAE_SCHEMA, VqVae, {
  description: 'VQ-VAE: nearest-code quantization, straight-through gradients, commitment loss, EMA codebook, dead-code restarts',
  weights: vqVaeWeights,
  testConfig: {
    ...TINY_NETWORK,
    numLatents: 2,
    embeddingDim: 4,
    codebookSize: 8,
    // Codes spread wider than the initial encoder outputs: no nearest-code assignment of the test
    // batch is within reach of a finite-difference step.
    codebookInitScale: 2,
    codebook: 'ema',
    deadCodeRestartSteps: 10,
  },
});

export const createVqVae = vqVaeVariant.create;
