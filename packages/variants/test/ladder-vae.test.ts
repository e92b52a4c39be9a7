import * as tf from '@tensorflow/tfjs-core';
import { DiagonalGaussian, SeededRandom, hasKlPerDimension, isGaussianLatentModel, type LossContext } from '@vaekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '@vaekit/core';
import { LADDER_VAE_SCHEMA } from '../src/ladder-config.js';
import { precisionWeightedMerge } from '../src/ladder-merge.js';
import { createLadderVae, type LadderVae } from '../src/ladder-vae.js';
import { binaryBatch, smallLadder } from './ladder-fixture.js';
import { read, useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);

const context = (seed: number, extra: Partial<LossContext> = {}): LossContext => ({
  rng: new SeededRandom(seed),
  step: 0,
  klWeight: 1,
  freeBits: 0,
  training: false,
  ...extra,
});
const logNormal = (z: number, mean: number, variance: number): number =>
  -0.5 * (Math.log(2 * Math.PI * variance) + (z - mean) ** 2 / variance);

describe('precision-weighted merge', () => {
  const muUp = [0.3, -1.2, 2.0, 0.0];
  const varUp = [0.5, 2.0, 1e-3, 4.0];
  const muDown = [-0.7, 0.4, 1.0, 3.0];
  const varDown = [1.5, 0.25, 1e3, 4.0];

  it('equals the hand-computed product of the two Gaussians', () => {
    const q = precisionWeightedMerge(
      new DiagonalGaussian(tf.tensor2d([muUp]), tf.log(tf.tensor2d([varUp]))),
      new DiagonalGaussian(tf.tensor2d([muDown]), tf.log(tf.tensor2d([varDown]))),
    );
    const mean = read(q.mean);
    const variance = read(tf.exp(q.logVar));
    q.logVar.dispose();
    muUp.forEach((_, i) => {
      const expectedVar = 1 / (1 / varUp[i]! + 1 / varDown[i]!);
      const expectedMean = (muUp[i]! / varUp[i]! + muDown[i]! / varDown[i]!) * expectedVar;
      expect(variance[i]).toBeCloseTo(expectedVar, 5);
      expect(mean[i]).toBeCloseTo(expectedMean, 5);
      // A product of Gaussian densities is proportional to the merged density: the log-ratio is flat in z.
      const ratio = (z: number) => logNormal(z, muUp[i]!, varUp[i]!) + logNormal(z, muDown[i]!, varDown[i]!) - logNormal(z, mean[i]!, variance[i]!);
      expect(ratio(-1.3)).toBeCloseTo(ratio(0.2), 3);
      expect(ratio(2.5)).toBeCloseTo(ratio(0.2), 3);
    });
    // Equal precisions average the means and halve the variance.
    expect(variance[3]).toBeCloseTo(2, 5);
    expect(mean[3]).toBeCloseTo(1.5, 5);
  });

  it('stays finite for extreme variances', () => {
    const q = precisionWeightedMerge(
      new DiagonalGaussian(tf.tensor2d([[1, 2]]), tf.tensor2d([[-60, 60]])),
      new DiagonalGaussian(tf.tensor2d([[3, 4]]), tf.tensor2d([[60, -60]])),
    );
    const mean = read(q.mean);
    const logVar = read(q.logVar);
    expect(mean[0]).toBeCloseTo(1, 5);
    expect(mean[1]).toBeCloseTo(4, 5);
    expect(logVar[0]).toBeCloseTo(-60, 3);
    expect(logVar[1]).toBeCloseTo(-60, 3);
  });
});

describe('LadderVae', () => {
  let model: LadderVae;
  let x: tf.Tensor;
  beforeAll(() => {
    model = smallLadder();
    x = binaryBatch(6, 11);
  });
  afterAll(() => {
    model.dispose();
    x.dispose();
  });

  it('is not a GaussianLatentModel (no closed-form KL to N(0, I) for the whole code)', () => {
    expect(isGaussianLatentModel(model)).toBe(false);
    expect(model.getConfig().latentDim).toBe(9);
    expect(model.latentShape).toEqual([9]);
  });

  it('reports a KL per layer that sums to the total KL, and an ELBO made of them', () => {
    const terms = model.loss(x, context(5));
    const names = Object.keys(terms).filter((n) => n.startsWith('kl_layer')).sort();
    expect(names).toEqual(['kl_layer0', 'kl_layer1', 'kl_layer2']);
    const perLayer = names.map((n) => read(terms[n]!)[0]!);
    const [kl, total, reconstruction] = [read(terms.kl)[0]!, read(terms.total)[0]!, read(terms.reconstruction)[0]!];
    expect(perLayer.reduce((a, b) => a + b, 0)).toBeCloseTo(kl, 4);
    perLayer.forEach((v) => expect(v).toBeGreaterThanOrEqual(0));
    expect(total).toBeCloseTo(reconstruction + kl, 4);
  });

  it('computes each layer KL in closed form from the top-down pass (top vs N(0, I), lower vs its prior)', () => {
    const noise = new SeededRandom(99);
    const expected = tf.tidy(() => {
      const layers = model.topDown(model.bottomUp(x), (shape) => noise.normal(shape));
      return layers.map(({ posterior: q, prior: p }) => {
        const pMean = p ? p.mean : tf.zerosLike(q.mean);
        const pLogVar = p ? p.logVar : tf.zerosLike(q.logVar);
        // 0.5 Σ (log σp² − log σq² + (σq² + (μq − μp)²)/σp² − 1), written out by hand here.
        const perDim = tf.mul(0.5, tf.sub(tf.add(tf.sub(pLogVar, q.logVar), tf.div(tf.add(tf.exp(q.logVar), tf.square(tf.sub(q.mean, pMean))), tf.exp(pLogVar))), 1));
        return tf.mean(tf.sum(perDim, 1));
      });
    });
    // The loss draws its noise layer by layer from the same kind of stream: same seed, same draws.
    const rng = new SeededRandom(99);
    const terms = model.loss(x, { rng, step: 0, klWeight: 1, freeBits: 0, training: false });
    expected.forEach((e, i) => expect(read(terms[`kl_layer${i}`]!)[0]).toBeCloseTo(read(e)[0]!, 4));
    tf.dispose(Object.values(terms));
  });

  it('splits its KL per dimension, layers bottom to top, summing per layer to the loss\'s kl_layer terms', () => {
    expect(hasKlPerDimension(model)).toBe(true);
    const perDim = model.klPerDimension(x, new SeededRandom(41));
    expect(perDim.shape).toEqual([6, 9]);
    const terms = model.loss(x, { rng: new SeededRandom(41), step: 0, klWeight: 1, freeBits: 0, training: false });
    const bounds = [0, 4, 7, 9];
    const means = read(tf.tidy(() => tf.mean(perDim, 0)));
    const layerSums = [0, 1, 2].map((i) => means.slice(bounds[i], bounds[i + 1]).reduce((a, b) => a + b, 0));
    layerSums.forEach((v, i) => expect(v).toBeCloseTo(read(terms[`kl_layer${i}`]!)[0]!, 4));
    read(perDim).forEach((v) => expect(v).toBeGreaterThanOrEqual(-1e-6));
    tf.dispose(Object.values(terms));
  });

  it('gives k = 1 log-weights equal to the negative one-sample ELBO (Monte-Carlo KL, same noise)', () => {
    const mc = createLadderVae({ ...model.getConfig(), klEstimator: 'monte-carlo' });
    const terms = mc.loss(x, context(8));
    const weights = mc.logWeights(x, 1, new SeededRandom(8));
    expect(weights.shape).toEqual([1, 6]);
    expect(-read(tf.mean(weights))[0]!).toBeCloseTo(read(terms.total)[0]!, 3);
    weights.dispose();
    tf.dispose(Object.values(terms));
    mc.dispose();
  });

  it('keeps the IWAE bound at or above the ELBO on average, below zero for binary data', () => {
    const weights = model.logWeights(x, 64, new SeededRandom(4));
    const iwae = read(tf.mean(tf.sub(tf.logSumExp(weights, 0), Math.log(64))))[0]!;
    const elboMean = read(tf.mean(weights))[0]!;
    weights.dispose();
    expect(iwae).toBeGreaterThanOrEqual(elboMean);
    expect(iwae).toBeLessThan(0);
  });

  it('applies KL warm-up through klWeight and free bits per layer dimension', () => {
    const warm = model.loss(x, context(2, { klWeight: 0 }));
    expect(read(warm.total)[0]).toBeCloseTo(read(warm.reconstruction)[0]!, 5);
    tf.dispose(Object.values(warm));
    // A floor far above every dimension's KL: each of the 9 dimensions counts exactly the floor.
    const floored = model.loss(x, context(2, { freeBits: 50 }));
    expect(read(floored.total)[0]).toBeCloseTo(read(floored.reconstruction)[0]! + 50 * 9, 2);
    const reportedKl = read(floored.kl)[0]!;
    expect(reportedKl).toBeLessThan(50);
    tf.dispose(Object.values(floored));
  });

  it('encodes to the concatenated posterior means, decodes from them or z_1, and samples ancestrally', () => {
    const code = model.encode(x);
    expect(code.shape).toEqual([6, 9]);
    const fromAll = read(model.decode(code));
    const fromBottom = read(model.decode(tf.tidy(() => tf.slice(code, [0, 0], [-1, 4]))));
    expect(fromAll).toEqual(fromBottom);
    // The top block of the code is the top layer's bottom-up mean.
    const topMean = tf.tidy(() => model.bottomUp(x)[2]!.mean);
    expect(read(tf.slice(code, [0, 7], [-1, 2]))).toEqual(read(topMean));
    code.dispose();
    expect(() => model.decode(tf.zeros([2, 5]))).toThrow(/expects codes/);
    const samples = model.sample(5, new SeededRandom(1));
    expect(samples.shape).toEqual([5, 10]);
    const values = read(samples);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    const again = read(model.sample(5, new SeededRandom(1)));
    expect(again).toEqual(values);
  });

  it('validates its config with messages that say what to pass', () => {
    expect(() => resolveConfig(LADDER_VAE_SCHEMA, { latentDims: [8] })).toThrow(/at least 2/);
    expect(() => resolveConfig(LADDER_VAE_SCHEMA, { latentDims: [8, 4], deterministicUnits: [16] })).toThrow(/one width per stochastic layer/);
    expect(() => resolveConfig(LADDER_VAE_SCHEMA, { latentDims: [8, 4], deterministicUnits: [16, 8], latentDim: 3 })).toThrow(/total of latentDims/);
    const defaults = resolveConfig(LADDER_VAE_SCHEMA, {});
    expect(defaults.latentDims).toEqual([64, 32]);
    expect(defaults.deterministicUnits).toEqual([512, 256]);
    expect(defaults.latentDim).toBe(96);
    expect(defaults.architecture).toEqual({ type: 'mlp', hiddenUnits: [512, 512] });
  });
});
