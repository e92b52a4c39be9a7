import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DiagonalGaussian, elbo, gaussianLogProb, iwaeBound, SeededRandom, standardNormalLogProb } from '../src/index.js';
import { read, useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);

/**
 * A linear-Gaussian model where everything is known exactly: p(z) = N(0, 1), p(x|z) = N(w z + b, s2),
 * so log p(x) = log N(x; b, w^2 + s2). The proposal q(z|x) = N(m, v) is deliberately not the true
 * posterior, so the ELBO sits strictly below log p(x) and IWAE has room to tighten.
 */
const w = 1.5;
const b = 0.2;
const s2 = 0.3;
const x = 1.1;
const m = 0.1;
const v = 0.8;

const exactLogPx = -0.5 * Math.log(2 * Math.PI * (w * w + s2)) - ((x - b) ** 2) / (2 * (w * w + s2));
const exactElbo =
  -0.5 * Math.log(2 * Math.PI * s2) - ((x - w * m - b) ** 2 + w * w * v) / (2 * s2) - 0.5 * (m * m + v - Math.log(v) - 1);

/** Log-weights log p(x, z_i) - log q(z_i) for `repeats` independent rows of k draws: shape [k, repeats]. */
function logWeights(k: number, repeats: number, rng: SeededRandom): tf.Tensor2D {
  return tf.tidy(() => {
    const q = new DiagonalGaussian(tf.fill([k * repeats, 1], m), tf.fill([k * repeats, 1], Math.log(v)));
    const z = q.sample(rng.normal([k * repeats, 1]));
    const logPxz = gaussianLogProb(tf.add(tf.mul(w, z), b), Math.log(s2), tf.fill([k * repeats, 1], x));
    return tf.reshape(tf.sub(tf.add(logPxz, standardNormalLogProb(z)), q.logProb(z)), [k, repeats]) as tf.Tensor2D;
  });
}

function meanAndStandardError(t: tf.Tensor): { mean: number; se: number } {
  const values = read(t);
  const mean = values.reduce((a, c) => a + c, 0) / values.length;
  const variance = values.reduce((a, c) => a + (c - mean) ** 2, 0) / (values.length - 1);
  return { mean, se: Math.sqrt(variance / values.length) };
}

describe('ELBO', () => {
  it('is the log-likelihood minus beta times KL, per example and as a batch-mean loss', () => {
    const ll = tf.tensor1d([-10, -20]);
    const kl = tf.tensor1d([2, 4]);
    const terms = elbo(ll, kl, { beta: 0.5 });
    expect(Array.from(terms.perExample.dataSync())).toEqual([-11, -22]);
    expect(terms.loss.dataSync()[0]).toBeCloseTo(16.5, 6);
    expect(terms.reconstruction.dataSync()[0]).toBeCloseTo(15, 6);
    expect(terms.kl.dataSync()[0]).toBeCloseTo(3, 6);
    expect(() => elbo(ll, kl, { beta: -1 })).toThrow(/beta/);
    tf.dispose([ll, kl, ...Object.values(terms)]);
  });

  it('sits below the exact log-likelihood of the linear-Gaussian model', () => {
    expect(exactElbo).toBeLessThan(exactLogPx);
  });
});

describe('IWAE bound', () => {
  it('with k = 1 equals the ELBO in expectation', () => {
    const { mean, se } = meanAndStandardError(iwaeBound(logWeights(1, 40000, new SeededRandom(1))));
    expect(Math.abs(mean - exactElbo)).toBeLessThan(4 * se);
  });

  it('is at least the ELBO, does not decrease with k on average, and approaches log p(x)', () => {
    const rng = new SeededRandom(2);
    const means = [1, 5, 50, 500].map((k) => meanAndStandardError(iwaeBound(logWeights(k, 2000, rng))));
    for (let i = 1; i < means.length; i++) {
      expect(means[i]!.mean).toBeGreaterThanOrEqual(means[i - 1]!.mean - 3 * means[i]!.se);
    }
    expect(means[1]!.mean).toBeGreaterThan(exactElbo);
    expect(means.at(-1)!.mean).toBeLessThanOrEqual(exactLogPx + 3 * means.at(-1)!.se);
    expect(Math.abs(means.at(-1)!.mean - exactLogPx)).toBeLessThan(0.01);
  });

  it('rejects log-weights of the wrong rank', () => {
    const flat = tf.zeros([3]);
    expect(() => iwaeBound(flat)).toThrow(/\[k, batch\]/);
    flat.dispose();
  });
});
