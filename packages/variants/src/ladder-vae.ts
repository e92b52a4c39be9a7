import * as tf from '@tensorflow/tfjs-core';
import {
  applyFreeBits,
  createLikelihood,
  DiagonalGaussian,
  elbo,
  klDiagonal,
  klMonteCarlo,
  klStandardNormal,
  klStandardNormalPerDim,
  registerModel,
  standardNormalLogProb,
  type Likelihood,
  type LossContext,
  type LossTerms,
  type NamedVariable,
  type SeededRandom,
  type VaeModel,
} from '@vaekit/core';
import { resolveLadderConfig, type LadderVaeConfig } from './ladder-config.js';
import { precisionWeightedMerge } from './ladder-merge.js';
import { buildLadderNetworks, disposeLadderNetworks, ladderVariables, type LadderNetworks } from './ladder-networks.js';
import { run } from './networks.js';
import { isTrainingCall } from './training-call.js';

/** One stochastic layer after the top-down pass. `prior` is null for the top layer, whose prior is N(0, I). */
export interface LadderLayer {
  readonly posterior: DiagonalGaussian;
  readonly prior: DiagonalGaussian | null;
  readonly z: tf.Tensor;
}

/**
 * Ladder VAE (Sønderby et al. 2016). A deterministic bottom-up pass gives every stochastic layer an
 * estimate N(μ̂_i, σ̂_i²); the top-down pass then takes the top layer's posterior to be its estimate and,
 * going down, merges each layer's estimate with the prior p(z_i | z_{i+1}) predicted from the layer above
 * by precision weighting. The KL is taken per layer in closed form (top layer vs N(0, I), lower layers
 * vs their top-down prior) and reported as `kl_layer0` (bottom) … `kl_layer{L-1}` (top).
 *
 * Codes: `encode(x)` is every layer's posterior mean, concatenated bottom to top ([z_1 | … | z_L]),
 * from a top-down pass that propagates means instead of draws; `latentShape` is [Σ latentDims].
 * `decode(z)` reads only the bottom layer (p(x | z) depends on z_1 alone): it takes the concatenated code
 * or z_1 by itself. `sample(n)` draws ancestrally from the top prior down.
 *
 * Not a `GaussianLatentModel`: the lower layers' priors are not N(0, I), so there is no single
 * diagonal posterior whose KL to a standard normal is the model's KL.
 */
export class LadderVae implements VaeModel<LadderVaeConfig> {
  readonly className: string;
  readonly inputShape: readonly number[];
  readonly latentShape: readonly number[];
  private readonly config: LadderVaeConfig;
  private readonly likelihood: Likelihood;
  private readonly nets: LadderNetworks;

  constructor(config: LadderVaeConfig) {
    this.config = config;
    this.className = config.className;
    this.inputShape = [...config.inputShape];
    this.latentShape = [config.latentDim];
    this.likelihood = createLikelihood(config.likelihood);
    const outputShape = this.likelihood.paramsPerValue === 2 ? [...config.inputShape, 2] : [...config.inputShape];
    this.nets = buildLadderNetworks(config, outputShape);
  }

  get layers(): number {
    return this.config.latentDims.length;
  }

  getConfig(): LadderVaeConfig {
    return structuredClone(this.config);
  }

  /**
   * The bottom-up estimates N(μ̂_i, σ̂_i²), bottom to top (the caller disposes them, e.g. inside a tidy).
   * `training` selects batch statistics for batch normalization (and moves its averages); see `batchNorm`.
   */
  bottomUp(x: tf.Tensor, training = false): DiagonalGaussian[] {
    this.checkInput(x);
    const estimates: DiagonalGaussian[] = [];
    let d = x;
    this.nets.bottomUp.forEach((block, i) => {
      d = run(block, d, training);
      const [mean, logVar] = tf.split(run(this.nets.bottomUpHeads[i]!, d), 2, 1);
      estimates.push(new DiagonalGaussian(mean!, logVar!));
    });
    return estimates;
  }

  /** The prior p(z_i | z_{i+1}) for layer i < L-1, from a draw of the layer above. */
  prior(layer: number, zAbove: tf.Tensor, training = false): DiagonalGaussian {
    const [mean, logVar] = tf.split(run(this.nets.topDown[layer]!, zAbove, training), 2, 1);
    return new DiagonalGaussian(mean!, logVar!);
  }

  /**
   * The top-down inference pass over bottom-up estimates; returns the layers bottom to top. `noise`
   * gives the standard-normal draw for a layer, or null to propagate posterior means.
   */
  topDown(estimates: DiagonalGaussian[], noise: ((shape: readonly number[]) => tf.Tensor) | null, training = false): LadderLayer[] {
    const top = this.layers - 1;
    const draw = (q: DiagonalGaussian): tf.Tensor => (noise ? q.sample(noise(q.mean.shape)) : q.mean);
    const layers: LadderLayer[] = new Array(this.layers);
    const topPosterior = estimates[top]!;
    layers[top] = { posterior: topPosterior, prior: null, z: draw(topPosterior) };
    for (let i = top - 1; i >= 0; i--) {
      const prior = this.prior(i, layers[i + 1]!.z, training);
      const posterior = precisionWeightedMerge(estimates[i]!, prior);
      layers[i] = { posterior, prior, z: draw(posterior) };
    }
    return layers;
  }

  encode(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.concat(this.topDown(this.bottomUp(x), null).map((layer) => layer.z), 1));
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

  reconstruct(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.likelihood.mean(this.decode(this.encode(x))));
  }

  sample(n: number, rng: SeededRandom): tf.Tensor {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`sample count must be a whole number >= 1, got ${n}`);
    return tf.tidy(() => {
      let z = rng.normal([n, this.config.latentDims[this.layers - 1]!]);
      for (let i = this.layers - 2; i >= 0; i--) {
        const p = this.prior(i, z);
        z = p.sample(rng.normal(p.mean.shape));
      }
      return this.likelihood.mean(this.decode(z));
    });
  }

  /** log p(x | z_1) per example. */
  logLikelihood(x: tf.Tensor, z1: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => this.likelihood.logProb(this.decode(z1), x));
  }

  loss(x: tf.Tensor, context: LossContext): LossTerms {
    return tf.tidy(() => {
      const training = isTrainingCall(context);
      const layers = this.topDown(this.bottomUp(x, training), (shape) => context.rng.normal(shape), training);
      const logLikelihood = this.logLikelihood(x, layers[0]!.z);
      const perLayer = layers.map((layer) => this.layerKl(layer, context.freeBits));
      const kl = tf.addN(perLayer.map((t) => t.kl)) as tf.Tensor1D;
      const klForLoss = tf.addN(perLayer.map((t) => t.klForLoss)) as tf.Tensor1D;
      const terms = elbo(logLikelihood, kl, { beta: this.config.beta * context.klWeight, klForLoss });
      const result: LossTerms = { total: terms.loss, reconstruction: terms.reconstruction, kl: terms.kl };
      perLayer.forEach((t, i) => (result[`kl_layer${i}`] = tf.mean(t.kl) as tf.Scalar));
      return result;
    });
  }

  /**
   * One layer's KL per example, and what enters the loss. Closed form: the top layer against N(0, I),
   * a lower layer against its top-down prior (given the sampled layer above). With free bits, each
   * latent dimension of each layer counts at least `freeBits` nats (batch mean); with the Monte-Carlo
   * estimator the floor is applied to the layer as a whole (freeBits × its width).
   */
  private layerKl(layer: LadderLayer, freeBits: number): { kl: tf.Tensor1D; klForLoss: tf.Tensor1D } {
    const { posterior: q, prior: p, z } = layer;
    if (this.config.klEstimator === 'monte-carlo') {
      const kl = klMonteCarlo(q.logProb(z), p ? p.logProb(z) : standardNormalLogProb(z));
      if (freeBits <= 0) return { kl, klForLoss: kl };
      return { kl, klForLoss: applyFreeBits(tf.reshape(kl, [-1, 1]), freeBits * q.mean.shape[1]!) };
    }
    const kl = p ? klDiagonal(q, p) : klStandardNormal(q);
    if (freeBits <= 0) return { kl, klForLoss: kl };
    return { kl, klForLoss: applyFreeBits(layerKlPerDimension(q, p), freeBits) };
  }

  /**
   * KL per example and latent dimension, [batch, Σ latentDims], layers bottom to top as in `encode`: the
   * top layer's against N(0, I), each lower layer's against its prior given the drawn layer above (one
   * top-down pass with draws, as in `loss`). Row sums are the model's KL; `evaluate` counts active units
   * from it.
   */
  klPerDimension(x: tf.Tensor, rng: SeededRandom): tf.Tensor2D {
    return tf.tidy(() => {
      const layers = this.topDown(this.bottomUp(x), (shape) => rng.normal(shape));
      return tf.concat(layers.map((layer) => layerKlPerDimension(layer.posterior, layer.prior)), 1) as tf.Tensor2D;
    });
  }

  logWeights(x: tf.Tensor, k: number, rng: SeededRandom): tf.Tensor2D {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a whole number >= 1, got ${k}`);
    return tf.tidy(() => {
      const batch = x.shape[0]!;
      const tile = (t: tf.Tensor): tf.Tensor => tf.reshape(tf.tile(tf.expandDims(t, 0), [k, 1, 1]), [k * batch, t.shape[1]!]);
      const estimates = this.bottomUp(x).map((e) => new DiagonalGaussian(tile(e.mean), tile(e.logVar)));
      const layers = this.topDown(estimates, (shape) => rng.normal(shape));
      const xTiled = tf.tile(x, [k, ...x.shape.slice(1).map(() => 1)]);
      // log p(x | z_1) + Σ log p(z_i | z_{i+1}) + log p(z_L) − Σ log q(z_i | ·)
      const terms = [this.logLikelihood(xTiled, layers[0]!.z)];
      for (const { posterior, prior, z } of layers) {
        terms.push(prior ? prior.logProb(z) : standardNormalLogProb(z), tf.neg(posterior.logProb(z)));
      }
      return tf.reshape(tf.addN(terms), [k, batch]) as tf.Tensor2D;
    });
  }

  variables(): NamedVariable[] {
    return ladderVariables(this.nets);
  }

  dispose(): void {
    disposeLadderNetworks(this.nets);
  }

  private checkInput(x: tf.Tensor): void {
    if (!tf.util.arraysEqual(x.shape.slice(1), [...this.inputShape])) {
      throw new RangeError(`${this.className} expects inputs of shape [batch, ${this.inputShape}], got [${x.shape}]`);
    }
  }
}

/**
 * KL per example and dimension, [batch, dims]: against N(0, I) for the top layer, else core's
 * diagonal-vs-diagonal KL evaluated on a [batch·dims, 1] view so each dimension is its own "example".
 */
function layerKlPerDimension(q: DiagonalGaussian, p: DiagonalGaussian | null): tf.Tensor2D {
  return tf.tidy(() => {
    if (!p) return klStandardNormalPerDim(q.mean, q.logVar) as tf.Tensor2D;
    const column = (t: tf.Tensor) => tf.reshape(t, [-1, 1]);
    const perDim = klDiagonal(new DiagonalGaussian(column(q.mean), column(q.logVar)), new DiagonalGaussian(column(p.mean), column(p.logVar)));
    return tf.reshape(perDim, [q.mean.shape[0]!, q.mean.shape[1]!]) as tf.Tensor2D;
  });
}

export function createLadderVae(config: Partial<LadderVaeConfig> = {}): LadderVae {
  return new LadderVae(resolveLadderConfig(config));
}

registerModel(
  {
    className: 'LadderVAE',
    description: 'Ladder VAE: bottom-up estimates merged top-down with precision weighting, KL per layer',
    create: (config) => createLadderVae(config as Partial<LadderVaeConfig>),
    testConfig: { inputShape: [12], latentDims: [3, 2], hiddenUnits: [8, 6], architecture: { type: 'mlp', hiddenUnits: [10] } },
    // Ladders saved before `batchNorm` existed (0.1) had none; the default is now on.
    upgradeSavedConfig: (saved) => ('batchNorm' in saved ? saved : { ...saved, batchNorm: false }),
  },
  { replace: true },
);
