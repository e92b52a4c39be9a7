import * as tf from '@tensorflow/tfjs-core';
import { checkSupport, isGaussianLatentModel, SeededRandom, type VaeModel } from '@vaekit/core';
import { expect, it } from 'vitest';
import { build, hasClosedFormKl } from '../cases.js';
import { directionalDerivatives } from '../checks/gradients.js';
import { compareKl } from '../checks/kl.js';
import { decodedShape, firstOutsideRange, likelihoodSampler } from '../declared-likelihood.js';
import { allFinite } from '../compare.js';
import { take } from '../take.js';
import { BATCH, evaluationLoss, mean, standardError, type VariantFixture } from './fixture.js';

/** What the model computes: shapes, ranges, finiteness, the IWAE/ELBO identity, the KL and the gradients. */
export function defineOutputChecks(f: VariantFixture): void {
  it("produces outputs of the declared shapes, in the range of its likelihood's mean", async () => {
    const model = f.model();
    const likelihood = f.likelihood();
    const x = f.batch();
    try {
      const code = model.encode(x);
      expect(code.shape).toEqual([BATCH, ...model.latentShape]);
      const params = model.decode(code);
      expect(params.shape, `decode's parameters for ${likelihood.paramsPerValue} per value`).toEqual(
        decodedShape(BATCH, model.inputShape, likelihood),
      );
      const recon = model.reconstruct(x);
      expect(recon.shape).toEqual([BATCH, ...model.inputShape]);
      const samples = model.sample(5, new SeededRandom(1));
      expect(samples.shape).toEqual([5, ...model.inputShape]);
      const logWeights = model.logWeights(x, 3, new SeededRandom(2));
      expect(logWeights.shape).toEqual([3, BATCH]);
      const [reconValues, sampleValues, weightValues, paramValues] = await Promise.all([
        take(recon),
        take(samples),
        take(logWeights),
        take(params),
      ]);
      code.dispose();
      for (const values of [reconValues, sampleValues, weightValues, paramValues]) expect(allFinite(values)).toBe(true);
      // Reconstructions and samples are means of p(x | z): probabilities for binary data, in [0, 1] for
      // grey levels, anywhere for real values.
      expect(firstOutsideRange(likelihood.support, reconValues), 'reconstruct').toBeUndefined();
      expect(firstOutsideRange(likelihood.support, sampleValues), 'sample').toBeUndefined();
      const names = model.variables().map((v) => v.name);
      for (const weight of likelihood.weights) expect(names, `the likelihood's own weight ${weight.name}`).toContain(weight.name);
    } finally {
      x.dispose();
    }
  });

  it("draws data in its likelihood's support with the likelihood's own sample (needs a declared Likelihood with sample)", async (ctx) => {
    const model = f.model();
    const sampler = likelihoodSampler(model);
    if (!sampler) {
      ctx.skip(`${f.variant.name} declares ${model.likelihood ? "its likelihood's description only, with no sample" : 'no likelihood (binary data)'}`);
      return;
    }
    const { support } = f.likelihood();
    const x = f.batch();
    try {
      const draws = tf.tidy(() => sampler(model.decode(model.encode(x)), new SeededRandom(4)));
      expect(draws.shape).toEqual([BATCH, ...model.inputShape]);
      expect(checkSupport(support, await take(draws))).toBeUndefined();
    } finally {
      x.dispose();
    }
  });

  it('has importance log-weights that average to the ELBO (IWAE with k = 1 is the ELBO in expectation)', async () => {
    const model = f.model();
    const x = f.batch();
    try {
      // E_q[log p(x, z) - log q(z|x)] = E_q[log p(x|z)] - KL: compare the batch mean of many log-weights with
      // many one-sample ELBO estimates from loss(), within four combined standard errors.
      const draws = 400;
      const weights = await take(model.logWeights(x, draws, new SeededRandom(31)));
      const weightMeans = Array.from({ length: draws }, (_, d) => mean(Array.from(weights.subarray(d * BATCH, (d + 1) * BATCH))));
      const elbos: number[] = [];
      for (let seed = 0; seed < 100; seed++) {
        const terms = evaluationLoss(model, x, 1000 + seed);
        const [reconstruction, kl] = await take(tf.stack([terms.reconstruction, terms.kl]));
        tf.dispose(Object.values(terms));
        elbos.push(-(reconstruction! + kl!));
      }
      const gap = Math.abs(mean(weightMeans) - mean(elbos));
      const se = Math.sqrt(standardError(weightMeans) ** 2 + standardError(elbos) ** 2);
      expect(gap, `log-weights ${mean(weightMeans)} vs ELBO ${mean(elbos)}`).toBeLessThanOrEqual(4 * se + 1e-3 * Math.abs(mean(elbos)));
    } finally {
      x.dispose();
    }
  });

  it('gives finite loss terms, with total, reconstruction and kl present', async () => {
    const x = f.batch();
    const terms = evaluationLoss(f.model(), x, 3);
    x.dispose();
    expect(Object.keys(terms)).toEqual(expect.arrayContaining(['total', 'reconstruction', 'kl']));
    for (const [name, value] of Object.entries(terms)) {
      expect(value.rank, `${name} is a scalar`).toBe(0);
      const [v] = await take(value);
      expect(Number.isFinite(v), `${name} = ${v}`).toBe(true);
    }
  });

  it(`closed-form KL agrees with a Monte-Carlo estimate within 4 standard errors (needs capability closedFormKl)`, async (ctx) => {
    if (!isGaussianLatentModel(f.model()) || !hasClosedFormKl(f.variant, f.model())) {
      ctx.skip(`${f.variant.name} declares no closed-form KL`);
      return;
    }
    // On a copy whose weights are moved off their initial values: a learned prior starts as N(0, I),
    // and only away from it does a KL taken against the wrong prior show.
    const model = build(f.variant);
    const x = f.batch();
    try {
      perturbWeights(model, 0.2, 17);
      if (!isGaussianLatentModel(model)) throw new Error(`${f.variant.name}: a second build is not Gaussian-latent`);
      const { closedForm, monteCarlo, standardError: se } = await compareKl(model, x, 4000, 5);
      closedForm.forEach((exact, i) => {
        expect(Math.abs(monteCarlo[i]! - exact), `example ${i}: MC ${monteCarlo[i]} vs ${exact}`).toBeLessThanOrEqual(4 * se[i]! + 1e-4);
      });
    } finally {
      x.dispose();
      model.dispose();
    }
  });

  it('has gradients that match finite differences along random directions (per declared target)', async () => {
    const x = f.batch();
    try {
      for (const seed of [21, 22, 23]) {
        const failures = await gradientMismatches(f.model(), x, seed);
        expect(failures.join('\n'), `seed ${seed}: no finite-difference step agrees`).toBe('');
      }
    } finally {
      x.dispose();
    }
  });
}

/**
 * A kink on the loss's path (Laplace's |x - μ|, a clamp, a ReLU) has no derivative, and a central
 * difference whose step straddles one is off by up to half the jump in slope. Shrinking the step passes
 * the kink by, while a wrong gradient stays wrong at every step, so a target passes when one step agrees.
 */
const FINITE_DIFFERENCE_STEPS = [1e-2, 3e-3, 1e-3, 3e-4] as const;

/** Targets whose analytic directional derivative no finite-difference step matches, each with its evidence. */
async function gradientMismatches(model: VaeModel, x: tf.Tensor, seed: number): Promise<string[]> {
  const evidence = new Map<string, string[]>();
  let pending: ReadonlySet<string> | undefined;
  for (const step of FINITE_DIFFERENCE_STEPS) {
    const failing = new Set<string>();
    for (const { target, analytic, numeric } of await directionalDerivatives(model, x, seed, step)) {
      if (pending && !pending.has(target)) continue;
      const scale = Math.max(Math.abs(analytic), Math.abs(numeric));
      if (Math.abs(analytic - numeric) <= 0.03 * scale + 5e-3) continue;
      failing.add(target);
      evidence.set(target, [...(evidence.get(target) ?? []), `step ${step}: analytic ${analytic}, numeric ${numeric}`]);
    }
    if (failing.size === 0) return [];
    pending = failing;
  }
  return [...(pending ?? [])].map((target) => `${target}: ${evidence.get(target)!.join('; ')}`);
}

/** Adds seeded Gaussian noise of standard deviation `scale` to every trainable weight. */
function perturbWeights(model: VaeModel, scale: number, seed: number): void {
  const rng = new SeededRandom(seed);
  for (const { variable, trainable } of model.variables()) {
    if (!trainable) continue;
    tf.tidy(() => variable.assign(tf.add(variable, tf.mul(rng.normal(variable.shape), scale))));
  }
}
