import * as tf from '@tensorflow/tfjs-core';
import {
  applyFreeBits,
  describeLikelihood,
  DiagonalGaussian,
  elbo,
  ExportError,
  gaussianLogProbFromNoise,
  klDiagonal,
  klMonteCarlo,
  klStandardNormal,
  standardNormalLogProb,
  tileDraws,
  type ExportableNetworks,
  type LossContext,
  type LossTerms,
  type ModelWithExport,
  type NamedVariable,
  type SeededRandom,
} from '@vaekit/core';
import { klPerDimensionDiagonal } from './gaussian-kl.js';
import type { LadderVaeConfig } from './ladder-config.js';
import { precisionWeightedMerge } from './ladder-merge.js';
import type { PlannedWeight } from './layer-plan.js';
import { buildLadderNetworks, disposeLadderNetworks, ladderVariables, ladderWeights, type LadderNetworks } from './ladder-networks.js';
import { ModelBase } from './model-base.js';
import { decoderOutputShape, run } from './networks.js';

/**
 * One stochastic layer after the top-down pass. `prior` is null for the top layer, whose prior is N(0, I).
 * `z0` is the draw from the Gaussian `posterior` and `epsilon` the standard-normal noise it came from
 * (z0 = μ + σ ⊙ ε; null when the pass propagated means, z0 = μ); `z` is what the layers below and the
 * decoder read: the same tensor unless a flow transformed it, in which case `logDet` is the flow's
 * log|det ∂z/∂z0| per row.
 */
export interface LadderLayer {
  readonly posterior: DiagonalGaussian;
  readonly prior: DiagonalGaussian | null;
  readonly z0: tf.Tensor;
  readonly epsilon: tf.Tensor | null;
  readonly z: tf.Tensor;
  readonly logDet: tf.Tensor1D | null;
}

/** The bottom-up pass: each layer's Gaussian estimate, and its flow context when the model has one. */
export interface LadderBottomUp {
  readonly estimates: DiagonalGaussian[];
  /** Per layer [batch, contextUnits]; empty when the model's posterior has no flow. */
  readonly contexts: tf.Tensor[];
}

/**
 * The weights of a `LadderBase` of a resolved config, in `variables()`'s order, without building it: the
 * ladder's networks (bottom-up heads widened by `contextUnits`), then `extra` (what the subclass's
 * `extraVariables` lists).
 */
export function ladderModelWeights(config: LadderVaeConfig, contextUnits: number, extra: readonly PlannedWeight[]): PlannedWeight[] {
  const outputShape = decoderOutputShape(config.inputShape, describeLikelihood(config.likelihood));
  return [...ladderWeights(config, outputShape, contextUnits), ...extra];
}

/**
 * What the ladder VAE (Sønderby et al. 2016) and its IAF-posterior form share. A deterministic
 * bottom-up pass gives every stochastic layer an estimate N(μ̂_i, σ̂_i²); the top-down pass takes the top
 * layer's posterior to be its estimate and, going down, merges each layer's estimate with the prior
 * p(z_i | z_{i+1}) predicted from the layer above by precision weighting. A subclass may push each
 * layer's Gaussian draw through a flow (`transformDraw`) before the layer below reads it.
 *
 * Codes: `encode(x)` is every layer's code, concatenated bottom to top ([z_1 | … | z_L]), from a
 * top-down pass that propagates means (through the flow, if any) instead of draws; `latentShape` is
 * [Σ latentDims]. `decode(z)` reads only the bottom layer (p(x | z) depends on z_1 alone): it takes the
 * concatenated code or z_1 by itself. `sample(n)` draws ancestrally from the top prior down.
 *
 * Not a `GaussianLatentModel`: the lower layers' priors are not N(0, I), so there is no single
 * diagonal posterior whose KL to a standard normal is the model's KL.
 */
export abstract class LadderBase<C extends LadderVaeConfig> extends ModelBase<C> implements ModelWithExport {
  private readonly nets: LadderNetworks;
  private readonly contextUnits: number;

  /** `contextUnits` > 0 widens every bottom-up head by that many outputs: the layer's flow context. */
  protected constructor(config: C, contextUnits = 0) {
    super(config, [config.latentDim]);
    this.contextUnits = contextUnits;
    this.nets = buildLadderNetworks(config, decoderOutputShape(config.inputShape, this.likelihood), contextUnits);
  }

  /**
   * Maps layer `layer`'s draw (or mean) z0 from its Gaussian `posterior` to the value the model uses,
   * given the layer's flow context; `logDet` is log|det ∂z/∂z0| per row, null for the identity. The
   * plain ladder has no flow. `draw.epsilon` is the noise behind z0 (null for the mean): a flow that
   * acts on the standardized draw must take it from there, never recover it as (z0 − μ) / σ.
   */
  protected abstract transformDraw(
    layer: number,
    draw: { readonly z0: tf.Tensor; readonly epsilon: tf.Tensor | null },
    posterior: DiagonalGaussian,
    context: tf.Tensor | undefined,
  ): { z: tf.Tensor; logDet: tf.Tensor1D | null };
  /** The weights beyond the ladder's networks (e.g. a flow's), under stable names. */
  protected abstract extraVariables(): NamedVariable[];
  protected abstract disposeExtra(): void;

  get layers(): number {
    return this.config.latentDims.length;
  }

  /**
   * The bottom-up estimates N(μ̂_i, σ̂_i²), bottom to top (the caller disposes them, e.g. inside a tidy).
   * `training` selects batch statistics for batch normalization (and moves its averages); see `batchNorm`.
   */
  bottomUp(x: tf.Tensor, training = false): DiagonalGaussian[] {
    return this.bottomUpPass(x, training).estimates;
  }

  /** The bottom-up estimates and, when the model has a flow, each layer's context for it. */
  bottomUpPass(x: tf.Tensor, training = false): LadderBottomUp {
    this.checkInput(x);
    const estimates: DiagonalGaussian[] = [];
    const contexts: tf.Tensor[] = [];
    let d = x;
    this.nets.bottomUp.forEach((block, i) => {
      d = run(block, d, training);
      const dims = this.config.latentDims[i]!;
      const widths = this.contextUnits > 0 ? [dims, dims, this.contextUnits] : [dims, dims];
      const [mean, logVar, context] = tf.split(run(this.nets.bottomUpHeads[i]!, d), widths, 1);
      estimates.push(new DiagonalGaussian(mean!, logVar!));
      if (context) contexts.push(context);
    });
    return { estimates, contexts };
  }

  /** The prior p(z_i | z_{i+1}) for layer i < L-1, from a draw of the layer above. */
  prior(layer: number, zAbove: tf.Tensor, training = false): DiagonalGaussian {
    const [mean, logVar] = tf.split(run(this.nets.topDown[layer]!, zAbove, training), 2, 1);
    return new DiagonalGaussian(mean!, logVar!);
  }

  /**
   * The top-down inference pass over bottom-up estimates; returns the layers bottom to top. `noise`
   * gives the standard-normal draw for a layer, or null to propagate posterior means. `contexts` are the
   * flow contexts from `bottomUpPass` (unused without a flow).
   */
  topDown(
    estimates: DiagonalGaussian[],
    noise: ((shape: readonly number[]) => tf.Tensor) | null,
    training = false,
    contexts: readonly tf.Tensor[] = [],
  ): LadderLayer[] {
    const layers: LadderLayer[] = new Array(this.layers);
    const complete = (i: number, posterior: DiagonalGaussian, prior: DiagonalGaussian | null): LadderLayer => {
      const epsilon = noise ? noise(posterior.mean.shape) : null;
      const z0 = epsilon ? posterior.sample(epsilon) : posterior.mean;
      const { z, logDet } = this.transformDraw(i, { z0, epsilon }, posterior, contexts[i]);
      return { posterior, prior, z0, epsilon, z, logDet };
    };
    const top = this.layers - 1;
    layers[top] = complete(top, estimates[top]!, null);
    for (let i = top - 1; i >= 0; i--) {
      const prior = this.prior(i, layers[i + 1]!.z, training);
      layers[i] = complete(i, precisionWeightedMerge(estimates[i]!, prior), prior);
    }
    return layers;
  }

  /**
   * Refuses: a ladder's posterior merges the bottom-up estimates with the top-down priors layer by layer,
   * and its prior over z_1 runs the top-down networks, so neither a code nor a sample comes from one plain network.
   */
  exportableNetworks(): ExportableNetworks {
    throw new ExportError(
      `${this.className} cannot be exported as plain TensorFlow.js networks: its posterior merges bottom-up and top-down passes ` +
        'by precision weighting at every layer, and its prior over the bottom layer z_1 runs the top-down networks, neither of which is ' +
        'a network of built-in layers. Keep the .vaekit file and run it with vaekit, or train a Vae, BetaVae, LearnedPriorVae, ' +
        'a flow VAE or a VqVae for export.',
    );
  }

  encode(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { estimates, contexts } = this.bottomUpPass(x);
      return tf.concat(this.topDown(estimates, null, false, contexts).map((layer) => layer.z), 1);
    });
  }

  decode(z: tf.Tensor): tf.Tensor {
    const width = z.shape[1];
    const bottom = this.config.latentDims[0]!;
    if (z.rank !== 2 || (width !== bottom && width !== this.config.latentDim)) {
      throw new RangeError(
        `${this.className}.decode expects codes [batch, ${this.config.latentDim}] (all layers) or [batch, ${bottom}] (z_1), got [${z.shape}]`,
      );
    }
    return tf.tidy(() => run(this.nets.decoder, width === bottom ? z : tf.slice(z, [0, 0], [-1, bottom])));
  }

  /**
   * Ancestral draws from the top prior down to z_1, concatenated bottom to top like `encode`'s codes, so
   * a prior draw has the model's `latentShape` and a sampler fitted on codes compares like with like.
   */
  protected priorCodes(n: number, rng: SeededRandom): tf.Tensor {
    const codes: tf.Tensor[] = new Array(this.layers);
    codes[this.layers - 1] = rng.normal([n, this.config.latentDims[this.layers - 1]!]);
    for (let i = this.layers - 2; i >= 0; i--) {
      const p = this.prior(i, codes[i + 1]!);
      codes[i] = p.sample(rng.normal(p.mean.shape));
    }
    return tf.concat(codes, 1);
  }

  /**
   * A top-down pass with k reparameterized draws per example, rows ordered draw-major ([k · batch]);
   * `logWeights` and a flow's `posteriorMean` read it. The caller disposes the tensors (e.g. in a tidy).
   */
  drawLayers(x: tf.Tensor, k: number, rng: SeededRandom, training = false): LadderLayer[] {
    // Not a tidy of its own: the layers hold tensors inside objects, which the caller's tidy keeps.
    const tile = (t: tf.Tensor): tf.Tensor => tileDraws(t, k);
    const { estimates, contexts } = this.bottomUpPass(x, training);
    const tiled = estimates.map((e) => new DiagonalGaussian(tile(e.mean), tile(e.logVar)));
    return this.topDown(tiled, (shape) => rng.normal(shape), training, contexts.map(tile));
  }

  loss(x: tf.Tensor, context: LossContext): LossTerms {
    return tf.tidy(() => {
      const layers = this.drawLayers(x, 1, context.rng, context.training);
      const logLikelihood = this.logLikelihood(x, layers[0]!.z);
      const perLayer = layers.map((layer) => this.layerKl(layer, context.freeBits));
      const kl = tf.addN(perLayer.map((t) => t.kl)) as tf.Tensor1D;
      const klForLoss = tf.addN(perLayer.map((t) => t.klForLoss)) as tf.Tensor1D;
      const terms = elbo(logLikelihood, kl, { beta: this.config.beta, klWeight: context.klWeight, klForLoss });
      const result: LossTerms = { total: terms.loss, reconstruction: terms.reconstruction, kl: terms.kl };
      perLayer.forEach((t, i) => (result[`kl_layer${i}`] = tf.mean(t.kl) as tf.Scalar));
      const logDets = layers.flatMap((layer) => (layer.logDet ? [layer.logDet] : []));
      if (logDets.length > 0) result['logDet'] = tf.mean(tf.addN(logDets)) as tf.Scalar;
      return result;
    });
  }

  protected drawLogWeights(x: tf.Tensor, k: number, rng: SeededRandom): tf.Tensor1D {
    const layers = this.drawLayers(x, k, rng);
    // log p(x | z_1) + Σ log p(z_i | z_{i+1}) + log p(z_L) − Σ log q(z_i | ·)
    const terms = [this.logLikelihood(tileDraws(x, k), layers[0]!.z)];
    for (const layer of layers) {
      terms.push(layer.prior ? layer.prior.logProb(layer.z) : standardNormalLogProb(layer.z), tf.neg(posteriorLogProb(layer)));
    }
    return tf.addN(terms) as tf.Tensor1D;
  }

  protected modelVariables(): NamedVariable[] {
    return [...ladderVariables(this.nets), ...this.extraVariables()];
  }

  protected disposeModel(): void {
    disposeLadderNetworks(this.nets);
    this.disposeExtra();
  }

  /**
   * One layer's KL per example, and what enters the loss. Closed form when the layer's posterior is the
   * Gaussian itself and the config asks for it: the top layer against N(0, I), a lower layer against its
   * top-down prior (given the sampled layer above). Otherwise, and always after a flow, the Monte-Carlo
   * estimate log q(z_i | ·) − log p(z_i | z_{i+1}) on the drawn z. With free bits, each latent dimension
   * counts at least `freeBits` nats (batch mean) in closed form; a Monte-Carlo layer's floor applies to
   * the layer as a whole (freeBits × its width).
   */
  private layerKl(layer: LadderLayer, freeBits: number): { kl: tf.Tensor1D; klForLoss: tf.Tensor1D } {
    const { posterior: q, prior: p, z } = layer;
    if (layer.logDet || this.config.klEstimator === 'monte-carlo') {
      const kl = klMonteCarlo(posteriorLogProb(layer), p ? p.logProb(z) : standardNormalLogProb(z));
      if (freeBits <= 0) return { kl, klForLoss: kl };
      return { kl, klForLoss: applyFreeBits(tf.reshape(kl, [-1, 1]), freeBits * q.mean.shape[1]!) };
    }
    const kl = p ? klDiagonal(q, p) : klStandardNormal(q);
    if (freeBits <= 0) return { kl, klForLoss: kl };
    return { kl, klForLoss: applyFreeBits(klPerDimensionDiagonal(q, p), freeBits) };
  }
}

/**
 * log q(z | ·) per row: the Gaussian's density at z0, less the flow's log-determinant if there is one.
 * For a draw, the density comes from its noise, log N(z0; μ, σ²) = Σ −½ (log 2π + log σ² + ε²): the
 * same value and gradient as evaluating at z0, without z0 − μ, which rounds to 0 once σ is below
 * float32's resolution of μ and drops the ε² term.
 */
function posteriorLogProb(layer: LadderLayer): tf.Tensor1D {
  const base = layer.epsilon ? gaussianLogProbFromNoise(layer.posterior.logVar, layer.epsilon) : layer.posterior.logProb(layer.z0);
  return layer.logDet ? (tf.sub(base, layer.logDet) as tf.Tensor1D) : base;
}
