import * as tf from '@tensorflow/tfjs-core';
import {
  createModel,
  evaluate,
  getRegisteredModel,
  hasMetrics,
  isGaussianLatentModel,
  SeededRandom,
} from '@vaekit/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '@vaekit/core';
import { VQ_VAE_SCHEMA, VqVae } from '../src/index.js';
import { nearestCodes, stopGradient } from '../src/internal.js';
import { useCpu } from '@vaekit/test-utils';
import {
  batch,
  context,
  data,
  disposeModels,
  HAND_CODEBOOK,
  lossValues,
  read2d,
  RIGGED,
  rigEncoder,
  setCodebook,
  tiny,
  variable,
} from './vq-fixture.js';

beforeAll(useCpu);
afterEach(disposeModels);

describe('VQ-VAE configuration', () => {
  it('has documented defaults and rejects bad settings', () => {
    const config = resolveConfig(VQ_VAE_SCHEMA, {});
    expect(config).toMatchObject({
      className: 'VqVae',
      numLatents: 16,
      embeddingDim: 8,
      codebookSize: 64,
      commitmentCost: 0.25,
      codebook: 'loss',
      emaDecay: 0.99,
      emaEpsilon: 1e-5,
      deadCodeRestartSteps: 100,
    });
    expect(() => resolveConfig(VQ_VAE_SCHEMA, { codebook: 'kmeans' as 'ema' })).toThrow(/codebook must be/);
    expect(() => resolveConfig(VQ_VAE_SCHEMA, { emaDecay: 1 })).toThrow(/emaDecay/);
    expect(() => resolveConfig(VQ_VAE_SCHEMA, { codebookSize: 1 })).toThrow(/codebookSize/);
    expect(() => resolveConfig(VQ_VAE_SCHEMA, { deadCodeRestartSteps: -1 })).toThrow(/deadCodeRestartSteps/);
  });

  it('is registered as VqVae, with metrics and without a Gaussian posterior (the KL check skips it)', () => {
    const model = createModel({ ...getRegisteredModel('VqVae').testConfig, className: 'VqVae' });
    try {
      expect(model).toBeInstanceOf(VqVae);
      expect(hasMetrics(model)).toBe(true);
      expect(isGaussianLatentModel(model)).toBe(false);
      expect(model.latentShape).toEqual([2, 4]);
    } finally {
      model.dispose();
    }
  });
});

describe('quantization', () => {
  it('picks the nearest code (hand-built codebook)', () => {
    const indices = tf.tidy(() =>
      nearestCodes(tf.tensor2d([[0.1, 0.2], [0.9, 0.1], [0.2, 0.7], [4, 4], [-3, -3], [0.55, 0.4]]), tf.tensor2d(HAND_CODEBOOK)),
    );
    expect(Array.from(indices.dataSync())).toEqual([0, 1, 2, 3, 0, 1]);
    indices.dispose();
  });

  it('encodes each latent vector of the model to its nearest code', () => {
    const model = tiny();
    setCodebook(model, HAND_CODEBOOK);
    rigEncoder(model, [
      [0.2, 0.7],
      [4, 4],
    ]);
    const x = batch();
    expect(model.codeIndices(x).arraySync()).toEqual([
      [2, 3],
      [2, 3],
      [2, 3],
    ]);
    expect(model.encode(x).arraySync()).toEqual(Array.from({ length: 3 }, () => [[0, 1], [5, 5]]));
    x.dispose();
  });
});

describe('gradients', () => {
  it('stopGradient passes values and blocks gradients', () => {
    const a = tf.variable(tf.tensor1d([1, 2, 3]));
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(stopGradient(a), a)), [a]);
    expect(value.dataSync()[0]).toBeCloseTo(14, 5);
    // d/da sum(sg(a) * a) = sg(a) = a, not 2a.
    expect(Array.from(grads[a.name]!.dataSync())).toEqual([1, 2, 3]);
    tf.dispose([a, value, ...Object.values(grads)]);
  });

  it('the straight-through estimator hands the decoder-input gradient to the encoder unchanged', () => {
    const model = tiny({ codebookInitScale: 2 });
    const x = batch(4);
    const encoderVars = model.variables().filter((v) => v.name.startsWith('encoder/')).map((v) => v.variable);
    const fromLoss = tf.variableGrads(() => model.loss(x, context(false)).reconstruction, encoderVars);
    // dL/dz_q at the quantized codes, pulled back through the encoder by hand.
    const zQ = model.encode(x);
    const dzQ = tf.grad((z: tf.Tensor) => tf.neg(tf.mean(model['likelihood'].logProb(model.decode(z), x))))(zQ);
    const byHand = tf.variableGrads(() => tf.sum(tf.mul(model.encodeContinuous(x), dzQ)), encoderVars);
    let norm = 0;
    for (const v of encoderVars) {
      const a = fromLoss.grads[v.name]!.dataSync();
      const b = byHand.grads[v.name]!.dataSync();
      a.forEach((value, i) => {
        expect(value).toBeCloseTo(b[i]!, 5);
        norm += value * value;
      });
    }
    expect(norm).toBeGreaterThan(1e-8);
    tf.dispose([x, zQ, dzQ, fromLoss.value, byHand.value, ...Object.values(fromLoss.grads), ...Object.values(byHand.grads)]);
  });

  it('matches finite differences on the exact paths: decoder (total), codebook (codebook loss), encoder (commitment loss)', () => {
    // The straight-through gradient is by design not the derivative of the loss value: the
    // reconstruction is piecewise constant in the encoder weights, and depends on the codebook through
    // z_q although sg gives the codebook no gradient from it. Every other path is exact.
    const model = tiny({ codebookInitScale: 2, codebookSize: 8, embeddingDim: 4 });
    const x = data.batch([0, 1, 2, 3, 4, 5, 6, 7], 0);
    const indicesBefore = model.codeIndices(x).arraySync();
    const lossOf = (term: string) => (): tf.Scalar => model.loss(x, context(false))[term]!;
    const check = (prefixes: string[], term: string, analyticTerm: string, seed: number): void => {
      const vars = model.variables().filter((v) => v.trainable && prefixes.some((p) => v.name.startsWith(p))).map((v) => v.variable);
      const rng = new SeededRandom(seed);
      const raw = vars.map((v) => rng.normal(v.shape));
      const norm = Math.sqrt(raw.reduce((s, d) => s + tf.sum(tf.square(d)).dataSync()[0]!, 0));
      const dirs = raw.map((d) => tf.div(d, norm));
      const { value, grads } = tf.variableGrads(lossOf(analyticTerm), vars);
      const analytic = vars.reduce((s, v, i) => s + tf.sum(tf.mul(grads[v.name]!, dirs[i]!)).dataSync()[0]!, 0);
      const originals = vars.map((v) => v.clone());
      const at = (h: number): number => {
        vars.forEach((v, i) => v.assign(tf.add(originals[i]!, tf.mul(h, dirs[i]!))));
        return tf.tidy(() => lossOf(term)().dataSync()[0]!);
      };
      const h = 1e-2;
      const numeric = (at(h) - at(-h)) / (2 * h);
      vars.forEach((v, i) => v.assign(originals[i]!));
      expect(Math.abs(analytic - numeric), `${prefixes} ${analytic} vs ${numeric}`).toBeLessThanOrEqual(0.03 * Math.abs(numeric) + 5e-3);
      tf.dispose([value, ...raw, ...dirs, ...originals, ...Object.values(grads)]);
    };
    for (const seed of [21, 22, 23]) {
      // Decoder: the gradient of the total is exact.
      check(['decoder/'], 'total', 'total', seed);
      // Codebook: its gradient comes from the codebook loss alone (sg cuts the reconstruction's path).
      check(['vq/codebook'], 'codebook', 'total', seed);
      // Encoder: the commitment term's gradient is exact; the reconstruction's is the straight-through one.
      check(['encoder/'], 'commitment', 'commitment', seed);
    }
    expect(model.codeIndices(x).arraySync()).toEqual(indicesBefore);
    x.dispose();
  });
});

describe('loss terms', () => {
  it('codebook and commitment losses equal the hand-computed squared errors; kl is numLatents log K', () => {
    const model = tiny({ commitmentCost: 0.3 });
    setCodebook(model, HAND_CODEBOOK);
    rigEncoder(model, RIGGED);
    const x = batch();
    const v = lossValues(model, x, context(false));
    // |(0.1, 0.2) - (0, 0)|^2 + |(0.9, 0.1) - (1, 0)|^2 = 0.05 + 0.02 per example.
    expect(v.codebook).toBeCloseTo(0.07, 6);
    expect(v.commitment).toBeCloseTo(0.3 * 0.07, 6);
    expect(v.kl).toBeCloseTo(2 * Math.log(4), 6);
    expect(v.total).toBeCloseTo(v.reconstruction! + 0.07 + 0.021, 5);
    // The codebook loss pulls each used code toward its encoder output: d/de_0 = 2 (e_0 - z_e).
    const codebook = variable(model, 'vq/codebook');
    const { value, grads } = tf.variableGrads(() => model.loss(x, context(false)).codebook!, [codebook]);
    const g = read2d(grads[codebook.name]!);
    expect(g[0]![0]).toBeCloseTo(-0.2, 5);
    expect(g[0]![1]).toBeCloseTo(-0.4, 5);
    expect(g[1]![0]).toBeCloseTo(0.2, 5);
    expect(g[1]![1]).toBeCloseTo(-0.2, 5);
    expect(g[3]).toEqual([0, 0]);
    tf.dispose([x, value, ...Object.values(grads)]);
  });

  it('in EMA mode leaves the codebook loss out of the total and the codebook out of the trainable weights', () => {
    const model = tiny({ codebook: 'ema', commitmentCost: 0.25 });
    setCodebook(model, HAND_CODEBOOK);
    rigEncoder(model, RIGGED);
    const x = batch();
    const v = lossValues(model, x, context(false));
    expect(v.total).toBeCloseTo(v.reconstruction! + 0.25 * 0.07, 5);
    expect(model.variables().filter((n) => n.name.startsWith('vq/') && n.trainable)).toEqual([]);
    expect(model.variables().map((n) => n.name).filter((n) => n.startsWith('vq/'))).toEqual([
      'vq/codebook',
      'vq/emaCounts',
      'vq/emaSums',
      'vq/idleSteps',
    ]);
    x.dispose();
  });

  it('gives equal log-weights for every k, log p(x|z_q) - numLatents log K: the IWAE bound is the ELBO', async () => {
    const model = tiny();
    const x = batch(4);
    const weights = model.logWeights(x, 5, new SeededRandom(3)).arraySync() as number[][];
    const v = lossValues(model, x, context(false));
    weights.forEach((row) => row.forEach((w, i) => expect(w).toBeCloseTo(weights[0]![i]!, 6)));
    const meanWeight = weights[0]!.reduce((a, b) => a + b, 0) / weights[0]!.length;
    expect(meanWeight).toBeCloseTo(-(v.reconstruction! + v.kl!), 4);
    const result = await evaluate(model, data, { k: 8, limit: 8 });
    expect(result.iwae!.bound).toBeCloseTo(result.elbo, 4);
    x.dispose();
  });

  it('samples decode uniformly drawn codes into probabilities of the input shape', () => {
    const model = tiny();
    const samples = model.sample(6, new SeededRandom(4));
    expect(samples.shape).toEqual([6, 12]);
    const values = samples.dataSync();
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    samples.dispose();
  });
});
