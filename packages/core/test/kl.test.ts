import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  applyFreeBits,
  DiagonalGaussian,
  klDiagonal,
  klMonteCarlo,
  klStandardNormal,
  SeededRandom,
  standardNormalLogProb,
} from '../src/index.js';
import { read, useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);

describe('closed-form KL', () => {
  it('is zero for the prior itself and matches hand-computed values', () => {
    // Row 0: N(0, 1) vs N(0, 1) = 0.
    // Row 1: mu = (1, -2), var = (1, 1): 0.5 * (1 + 4) = 2.5.
    // Row 2: mu = 0, var = e^2 (logVar 2) in one dim: 0.5 * (e^2 - 2 - 1) = 2.194528049...
    const q = new DiagonalGaussian(tf.tensor2d([[0, 0], [1, -2], [0, 0]]), tf.tensor2d([[0, 0], [0, 0], [2, 0]]));
    const kl = read(klStandardNormal(q));
    expect(kl[0]).toBeCloseTo(0, 6);
    expect(kl[1]).toBeCloseTo(2.5, 6);
    expect(kl[2]).toBeCloseTo(0.5 * (Math.exp(2) - 3), 5);
    tf.dispose([q.mean, q.logVar]);
  });

  it('between two diagonal Gaussians matches the formula and is zero for identical ones', () => {
    // KL(N(1, 0.5) || N(-1, 2)) = 0.5 * (log(2/0.5) + (0.5 + 4) / 2 - 1) = 0.5 * (1.386294 + 1.25)
    const q = new DiagonalGaussian(tf.tensor2d([[1]]), tf.tensor2d([[Math.log(0.5)]]));
    const p = new DiagonalGaussian(tf.tensor2d([[-1]]), tf.tensor2d([[Math.log(2)]]));
    expect(read(klDiagonal(q, p))[0]).toBeCloseTo(0.5 * (Math.log(4) + 2.25 - 1), 5);
    expect(read(klDiagonal(q, q))[0]).toBeCloseTo(0, 6);
    const prior = new DiagonalGaussian(tf.zeros([1, 1]), tf.zeros([1, 1]));
    expect(read(klDiagonal(q, prior))[0]).toBeCloseTo(read(klStandardNormal(q))[0]!, 6);
    tf.dispose([q.mean, q.logVar, p.mean, p.logVar, prior.mean, prior.logVar]);
  });

  it('has finite gradients for a very narrow prior, even when the means coincide', () => {
    // A ladder layer whose top-down prior is far narrower than its bottom-up estimate merges to the prior
    // itself: μ_q = μ_p exactly and log σ_p² around −46 (seen on MNIST after 30 epochs). Written as a
    // division by σ_p², the mean term's gradient divides by σ_p⁴, which is 0 in float32: 0/0 = NaN.
    const logVarP = tf.tensor2d([[-60, -46, 0]]);
    const mean = tf.tensor2d([[0.3, -0.2, 1]]);
    const grads = tf.grads((muQ: tf.Tensor, lvQ: tf.Tensor, muP: tf.Tensor, lvP: tf.Tensor) =>
      tf.sum(klDiagonal(new DiagonalGaussian(muQ, lvQ), new DiagonalGaussian(muP, lvP))),
    )([mean, logVarP, tf.clone(mean), tf.clone(logVarP)]);
    for (const g of grads) read(g).forEach((v) => expect(Number.isFinite(v)).toBe(true));
    expect(read(klDiagonal(new DiagonalGaussian(mean, logVarP), new DiagonalGaussian(mean, logVarP)))[0]).toBeCloseTo(0, 6);
    // The same for the density a Monte-Carlo KL differentiates, at a draw one σ away.
    const logProbGrads = tf.grads((mu: tf.Tensor, lv: tf.Tensor) => {
      const z = tf.add(mu, tf.exp(tf.mul(0.5, lv)));
      return tf.sum(new DiagonalGaussian(mu, lv).logProb(z));
    })([mean, logVarP]);
    for (const g of logProbGrads) read(g).forEach((v) => expect(Number.isFinite(v)).toBe(true));
    tf.dispose([logVarP, mean]);
  });

  it('Monte-Carlo estimate agrees with the closed form within 4 standard errors', () => {
    const mean = tf.tensor2d([[0.7, -1.2, 0.1]]);
    const logVar = tf.tensor2d([[-0.5, 0.3, -1.5]]);
    const q = new DiagonalGaussian(mean, logVar);
    const n = 20000;
    const rng = new SeededRandom(7);
    const samples = tf.tidy(() => {
      const z = tf.add(tf.tile(mean, [n, 1]), tf.mul(tf.exp(tf.mul(0.5, tf.tile(logVar, [n, 1]))), rng.normal([n, 3])));
      const wide = new DiagonalGaussian(tf.tile(mean, [n, 1]), tf.tile(logVar, [n, 1]));
      return klMonteCarlo(wide.logProb(z), standardNormalLogProb(z));
    });
    const values = read(samples);
    const avg = values.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - avg) ** 2, 0) / (n - 1));
    const exact = read(klStandardNormal(q))[0]!;
    expect(Math.abs(avg - exact)).toBeLessThan(4 * (sd / Math.sqrt(n)));
    tf.dispose([mean, logVar]);
  });
});

describe('free bits', () => {
  it('holds dimensions under the floor at the floor and leaves the rest', () => {
    const perDim = tf.tensor2d([[0.1, 2.0], [0.3, 1.0]]);
    // Dim 0 batch mean 0.2 < 0.5 -> counts 0.5 per example; dim 1 mean 1.5 -> as is.
    expect(read(applyFreeBits(perDim, 0.5))).toEqual([0.5 + 2.0, 0.5 + 1.0].map((v) => expect.closeTo(v, 6)));
    expect(read(applyFreeBits(perDim, 0))).toEqual([2.1, 1.3].map((v) => expect.closeTo(v, 6)));
    expect(() => applyFreeBits(perDim, -1)).toThrow(/free bits/);
    perDim.dispose();
  });

  it('differentiates: no gradient reaches a floored dimension, the others get the plain sum\'s', () => {
    // The loss path of every model with --free-bits: this threw "gradient function not found" before.
    const perDim = tf.variable(tf.tensor2d([[0.1, 2.0], [0.3, 1.0]]));
    const { value, grads } = tf.variableGrads(() => tf.sum(applyFreeBits(perDim, 0.5)) as tf.Scalar, [perDim]);
    expect(value.dataSync()[0]).toBeCloseTo(0.5 + 2.0 + 0.5 + 1.0, 5);
    expect(Array.from(grads[perDim.name]!.dataSync())).toEqual([0, 1, 0, 1]);
    tf.dispose([value, grads[perDim.name]!, perDim]);
  });
});
