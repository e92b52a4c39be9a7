import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bernoulliLogProb,
  checkLikelihoodData,
  createLikelihood,
  describeLikelihood,
  drawFromSupport,
  gaussianLogProb,
  inSupport,
  listLikelihoods,
  registerLikelihood,
  resolveLikelihoodConfig,
  SeededRandom,
  supportRange,
  UnknownLikelihoodError,
  type Likelihood,
} from '../src/index.js';
import { read, useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);

const sigmoid = (l: number): number => 1 / (1 + Math.exp(-l));

/** log p of each single value x under params, for a likelihood with one value per example. */
function logProbOfValues(likelihood: Likelihood, params: number[], xs: readonly number[]): Float32Array {
  return tf.tidy(() => {
    const k = likelihood.paramsPerValue;
    const p = tf.tensor(Array.from(xs, () => params), k === 1 ? [xs.length, 1] : [xs.length, 1, k]);
    return likelihood.logProb(k === 1 ? tf.reshape(p, [xs.length, 1]) : p, tf.tensor2d(xs.map((x) => [x]))).dataSync() as Float32Array;
  });
}

describe('built-in likelihoods', () => {
  it('Bernoulli from logits sums x log p + (1-x) log(1-p) over an example, stably at large logits', () => {
    const logits = tf.tensor2d([[0, 2], [-50, 50]]);
    const x = tf.tensor2d([[1, 0], [0, 1]]);
    const lp = read(bernoulliLogProb(logits, x));
    expect(lp[0]).toBeCloseTo(Math.log(sigmoid(0)) + Math.log(1 - sigmoid(2)), 5);
    expect(lp[1]).toBeCloseTo(0, 5);
    tf.dispose([logits, x]);
  });

  it('Gaussian: fixed, learned-global and learned-per-pixel variance give the same density for the same sigma', () => {
    const sigma = 0.5;
    const mean = tf.tensor2d([[0.5, -1]]);
    const x = tf.tensor2d([[1, 0]]);
    const expected = [0.5, 1].reduce((sum, d) => sum - 0.5 * Math.log(2 * Math.PI * sigma ** 2) - (d * d) / (2 * sigma ** 2), 0);
    expect(read(gaussianLogProb(mean, 2 * Math.log(sigma), x))[0]).toBeCloseTo(expected, 5);
    const fixed = createLikelihood({ type: 'gaussian', sigma });
    const global = createLikelihood({ type: 'gaussian', variance: 'learned-global', sigma });
    const perPixel = createLikelihood({ type: 'gaussian', variance: 'learned-per-pixel' });
    expect(read(fixed.logProb(mean, x))[0]).toBeCloseTo(expected, 5);
    expect(read(global.logProb(mean, x))[0]).toBeCloseTo(expected, 5);
    const stacked = tf.stack([mean, tf.fill([1, 2], Math.log(sigma))], 2);
    expect(read(perPixel.logProb(stacked, x))[0]).toBeCloseTo(expected, 5);
    expect(read(perPixel.mean(stacked))).toEqual([0.5, -1]);
    expect(global.variables().map((v) => v.name)).toEqual(['likelihood/logScale']);
    expect(fixed.variables()).toEqual([]);
    tf.dispose([mean, x, stacked]);
    for (const l of [fixed, global, perPixel]) l.dispose();
  });

  it('learned-global Gaussian trains its scale: the gradient moves sigma toward the residual spread', () => {
    const likelihood = createLikelihood({ type: 'gaussian', variance: 'learned-global', sigma: 1 });
    const variable = likelihood.variables()[0]!.variable;
    const mean = tf.zeros([4, 3]);
    const x = tf.fill([4, 3], 0.1);
    const { grads } = tf.variableGrads(() => tf.neg(tf.sum(likelihood.logProb(mean, x))) as tf.Scalar, [variable]);
    // Residuals of 0.1 with sigma 1: shrinking sigma raises the density, so -log p falls as log sigma falls.
    expect(read(grads[variable.name]!)[0]).toBeGreaterThan(0);
    tf.dispose([mean, x, ...Object.values(grads)]);
    likelihood.dispose();
  });

  it('Laplace density is -log 2b - |x - mu| / b', () => {
    const laplace = createLikelihood({ type: 'laplace', b: 0.25 });
    const lp = logProbOfValues(laplace, [0.2], [0.2, 1.2, -0.3]);
    [0, 1, 0.5].forEach((d, i) => expect(lp[i]).toBeCloseTo(-Math.log(0.5) - d / 0.25, 4));
  });

  it('continuous Bernoulli: the density integrates to 1 on [0, 1] and the mean is its first moment, near and far from logit 0', () => {
    const cb = createLikelihood({ type: 'continuous-bernoulli' });
    const grid = Array.from({ length: 2001 }, (_, i) => i / 2000);
    for (const logit of [-30, -4, -0.05, 0, 1e-3, 0.3, 7]) {
      const density = Array.from(logProbOfValues(cb, [logit], grid), Math.exp);
      const trapezoid = (f: (i: number) => number): number =>
        grid.slice(1).reduce((sum, _, i) => sum + 0.5 * (f(i) + f(i + 1)) * (grid[i + 1]! - grid[i]!), 0);
      expect(trapezoid((i) => density[i]!), `logit ${logit}`).toBeCloseTo(1, 2);
      const firstMoment = trapezoid((i) => grid[i]! * density[i]!);
      const mean = tf.tidy(() => cb.mean(tf.tensor2d([[logit]])).dataSync()[0]!);
      expect(mean, `logit ${logit}`).toBeCloseTo(firstMoment, 3);
    }
  });

  it('discretized logistic: the 256 levels share all the mass, and the mean is the levels weighted by it', () => {
    const logistic = createLikelihood({ type: 'discretized-logistic', scale: 'learned-per-pixel', s: 1 });
    const levels = Array.from({ length: 256 }, (_, k) => k / 255);
    // The decoder's first number is the location's offset from 0.5, the middle of [0, 1].
    for (const [location, scale] of [[0.5, 0.1], [0.02, 0.01], [1.3, 0.2], [0.7, 1e-3], [-2, 0.05]] as const) {
      const params = [location - 0.5, Math.log(scale)];
      const masses = Array.from(logProbOfValues(logistic, params, levels), Math.exp);
      const total = masses.reduce((a, b) => a + b, 0);
      expect(total, `location ${location}, scale ${scale}`).toBeCloseTo(1, 3);
      const levelMean = masses.reduce((sum, p, k) => sum + p * levels[k]!, 0);
      const mean = tf.tidy(() => logistic.mean(tf.tensor3d([[params]])).dataSync()[0]!);
      expect(mean, `location ${location}, scale ${scale}`).toBeCloseTo(levelMean, 3);
      const mostLikely = masses.indexOf(Math.max(...masses)) / 255;
      // Away from the ends, whose bins take the whole tail, the likeliest level is the location's.
      if (location - 5 * scale > 0 && location + 5 * scale < 1) expect(Math.abs(mostLikely - location), `location ${location}`).toBeLessThanOrEqual(0.5 / 255);
    }
    // A decoder that outputs zeros starts at mid-grey, so residuals on [0, 1] data have both signs.
    expect(tf.tidy(() => logistic.mean(tf.tensor3d([[[0, Math.log(0.1)]]])).dataSync()[0]!)).toBeCloseTo(0.5, 6);
  });

  it.each(listLikelihoods().map((d) => d.type))('%s: samples lie in its support, means in its range, log p finite with finite gradients', (type) => {
    const config = resolveLikelihoodConfig({ type });
    const { support, paramsPerValue } = describeLikelihood(config);
    const likelihood = createLikelihood(config);
    const before = tf.memory().numTensors;
    const rng = new SeededRandom(5);
    const shape = [6, 4];
    const initial = tf.tidy(() => tf.mul(rng.normal(paramsPerValue === 1 ? shape : [...shape, paramsPerValue]), 2));
    const params = tf.variable(initial);
    initial.dispose();
    const x = drawFromSupport(support, shape, rng);
    const samples = read(likelihood.sample(params, rng));
    expect(samples.every((v) => inSupport(support, v)), `${type} samples ${samples.slice(0, 6)}`).toBe(true);
    const [low, high] = supportRange(support);
    const means = read(likelihood.mean(params));
    expect(means.every((v) => Number.isFinite(v) && v >= low - 1e-6 && v <= high + 1e-6)).toBe(true);
    const { value, grads } = tf.variableGrads(() => tf.neg(tf.sum(likelihood.logProb(params, x))) as tf.Scalar, [params]);
    expect(Number.isFinite(read(value)[0])).toBe(true);
    expect(read(grads[params.name]!).every(Number.isFinite)).toBe(true);
    tf.dispose([value, ...Object.values(grads), params, x]);
    expect(tf.memory().numTensors).toBe(before);
    likelihood.dispose();
  });
});

describe('likelihood registry', () => {
  it('lists the built-ins and fills defaults', () => {
    expect(listLikelihoods().map((d) => d.type)).toEqual(
      expect.arrayContaining(['bernoulli', 'continuous-bernoulli', 'discretized-logistic', 'gaussian', 'laplace']),
    );
    expect(resolveLikelihoodConfig({ type: 'gaussian' })).toEqual({ type: 'gaussian', variance: 'fixed', sigma: 1, minSigma: 1e-3 });
    expect(describeLikelihood({ type: 'discretized-logistic' })).toMatchObject({ support: 'eight-bit', paramsPerValue: 1, weights: [{ name: 'likelihood/logScale', shape: [] }] });
    expect(describeLikelihood({ type: 'discretized-logistic', scale: 'learned-per-pixel' })).toMatchObject({ paramsPerValue: 2, weights: [] });
    expect(describeLikelihood({ type: 'laplace', scale: 'learned-global' }).weights).toEqual([
      { name: 'likelihood/logScale', shape: [], dtype: 'float32' },
    ]);
  });

  it('refuses unknown types, unknown fields and bad values, naming what is allowed', () => {
    expect(() => createLikelihood({ type: 'poisson' })).toThrow(UnknownLikelihoodError);
    expect(() => createLikelihood({ type: 'poisson' })).toThrow(/Registered: .*bernoulli.*gaussian/);
    expect(() => resolveLikelihoodConfig({ type: 'gaussian', sgima: 2 })).toThrow(/has no config field 'sgima'; its fields are minSigma, sigma, variance/);
    expect(() => resolveLikelihoodConfig({ type: 'gaussian', sigma: 0 })).toThrow(/likelihood 'gaussian': sigma must be a finite number > 0/);
    expect(() => resolveLikelihoodConfig({ type: 'gaussian', variance: 'learned' })).toThrow(/'fixed' or 'learned-global' or 'learned-per-pixel'/);
    expect(() => resolveLikelihoodConfig('bernoulli')).toThrow(/needs a type/);
  });

  it('checks data against the support', () => {
    expect(checkLikelihoodData({ type: 'bernoulli' }, [0, 1, 0.5])).toMatch(/0.5 at position 2.*exactly 0 or 1/);
    expect(checkLikelihoodData({ type: 'continuous-bernoulli' }, [0, 0.3, 1])).toBeUndefined();
    expect(checkLikelihoodData({ type: 'discretized-logistic' }, [0, 3 / 255, 1])).toBeUndefined();
    expect(checkLikelihoodData({ type: 'discretized-logistic' }, [0.5])).toMatch(/k\/255/);
    expect(checkLikelihoodData({ type: 'gaussian' }, [-3, Number.NaN])).toMatch(/NaN at position 1/);
  });

  it('registers a user likelihood, refuses a second registration of the name, and describes without tensors', () => {
    const base = createLikelihood({ type: 'laplace' });
    base.dispose();
    registerLikelihood({
      type: 'test-half-laplace',
      description: 'test only',
      fields: {},
      describe: () => ({ type: 'test-half-laplace', support: 'real', paramsPerValue: 1, weights: [] }),
      create: (config) => ({ ...createLikelihood({ type: 'laplace' }), type: 'test-half-laplace', config }),
    });
    const before = tf.memory().numTensors;
    expect(describeLikelihood({ type: 'test-half-laplace' }).support).toBe('real');
    expect(tf.memory().numTensors).toBe(before);
    expect(() =>
      registerLikelihood({ type: 'test-half-laplace', description: '', fields: {}, describe: () => ({}) as never, create: () => ({}) as never }),
    ).toThrow(/already registered/);
    expect(() => registerLikelihood({ type: 'Bad Name', description: '', fields: {}, describe: () => ({}) as never, create: () => ({}) as never })).toThrow(
      /lower-case/,
    );
  });
});
