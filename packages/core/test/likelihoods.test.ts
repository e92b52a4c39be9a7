import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { bernoulliLogProb, createLikelihood, gaussian, gaussianLogProb } from '../src/index.js';
import { read, useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);

describe('likelihoods', () => {
  it('Bernoulli from logits sums x log p + (1-x) log(1-p) over an example, stably at large logits', () => {
    const logits = tf.tensor2d([[0, 2], [-50, 50]]);
    const x = tf.tensor2d([[1, 0], [0, 1]]);
    const sigmoid = (l: number): number => 1 / (1 + Math.exp(-l));
    const lp = read(bernoulliLogProb(logits, x));
    expect(lp[0]).toBeCloseTo(Math.log(sigmoid(0)) + Math.log(1 - sigmoid(2)), 5);
    expect(lp[1]).toBeCloseTo(0, 5);
    expect(Number.isFinite(lp[1])).toBe(true);
    tf.dispose([logits, x]);
  });

  it('Gaussian log density matches the formula; fixed and learned variance agree when given the same variance', () => {
    const mean = tf.tensor2d([[0.5, -1]]);
    const x = tf.tensor2d([[1, 0]]);
    const sigma = 0.5;
    const expected = [1 - 0.5, 0 + 1].reduce(
      (sum, d) => sum - 0.5 * Math.log(2 * Math.PI * sigma ** 2) - (d * d) / (2 * sigma ** 2),
      0,
    );
    expect(read(gaussianLogProb(mean, 2 * Math.log(sigma), x))[0]).toBeCloseTo(expected, 5);
    expect(read(gaussian({ variance: 'fixed', sigma }).logProb(mean, x))[0]).toBeCloseTo(expected, 5);
    const learnedParams = tf.stack([mean, tf.fill([1, 2], 2 * Math.log(sigma))], 2);
    expect(read(gaussian({ variance: 'learned' }).logProb(learnedParams, x))[0]).toBeCloseTo(expected, 5);
    expect(read(gaussian({ variance: 'learned' }).mean(learnedParams))).toEqual([0.5, -1]);
    tf.dispose([mean, x, learnedParams]);
  });

  it('rejects bad likelihood settings clearly', () => {
    expect(() => gaussian({ variance: 'fixed', sigma: 0 })).toThrow(/sigma must be a positive number/);
    expect(() => createLikelihood({ type: 'poisson' } as never)).toThrow(/unknown likelihood/);
  });
});
