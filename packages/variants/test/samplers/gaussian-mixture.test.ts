import * as tf from '@tensorflow/tfjs-core';
import {
  createModel,
  deserializeSampler,
  getRegisteredModel,
  getSampler,
  prototypeDataset,
  type SamplerFitEvent,
  SeededRandom,
  serializeSampler,
  type VaeModel,
} from '@vaekit/core';
import { useCpu } from '@vaekit/test-utils';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GaussianMixtureSampler, type GaussianMixtureSamplerConfig } from '../../src/index.js';
import { fitMixture, maximization, mixtureLogLikelihood } from '../../src/samplers/gaussian-mixture-em.js';
import { chooseMixture } from '../../src/samplers/gaussian-mixture-select.js';
import { resolveGaussianMixtureSettings } from '../../src/samplers/gaussian-mixture-settings.js';
import type { CodeTable, GaussianMixture } from '../../src/samplers/gaussian-mixture-types.js';

beforeAll(useCpu);

/** A mixture given by weights, means and covariances (2-D, row-major), with its Cholesky factors. */
interface KnownMixture {
  readonly weights: number[];
  readonly means: number[][];
  readonly covariances: number[][];
}

const THREE: KnownMixture = {
  weights: [0.5, 0.3, 0.2],
  means: [
    [-6, 0],
    [4, 4],
    [3, -5],
  ],
  covariances: [
    [1, 0.6, 0.6, 1],
    [0.5, -0.2, -0.2, 0.8],
    [2, 0, 0, 0.3],
  ],
};

function cholesky2(c: number[]): number[] {
  const l00 = Math.sqrt(c[0]!);
  const l10 = c[2]! / l00;
  return [l00, 0, l10, Math.sqrt(c[3]! - l10 * l10)];
}

/** n draws of a 2-D mixture in plain JavaScript (Box–Muller on a seeded stream), as a code table. */
function drawMixture(mixture: KnownMixture, n: number, seed: number): CodeTable {
  const rng = new SeededRandom(seed);
  const factors = mixture.covariances.map(cholesky2);
  const values = new Float64Array(n * 2);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.nextFloat())) * Math.cos(2 * Math.PI * rng.nextFloat());
  for (let i = 0; i < n; i++) {
    let u = rng.nextFloat();
    let j = 0;
    while (j < mixture.weights.length - 1 && u >= mixture.weights[j]!) u -= mixture.weights[j++]!;
    const [e0, e1] = [normal(), normal()];
    const l = factors[j]!;
    values[i * 2] = mixture.means[j]![0]! + l[0]! * e0;
    values[i * 2 + 1] = mixture.means[j]![1]! + l[2]! * e0 + l[3]! * e1;
  }
  return { values, rows: n, size: 2 };
}

/** Σ_j = L_j·L_jᵀ of a fitted mixture's component j. */
function covarianceOf(mixture: GaussianMixture, j: number): number[] {
  const d = mixture.d;
  const l = mixture.choleskyFactors.subarray(j * d * d, (j + 1) * d * d);
  const out: number[] = [];
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      let sum = 0;
      for (let m = 0; m < d; m++) sum += l[a * d + m]! * l[b * d + m]!;
      out.push(sum);
    }
  }
  return out;
}

function settings(overrides: Record<string, unknown> = {}) {
  return resolveGaussianMixtureSettings(overrides);
}

describe('Gaussian-mixture EM', () => {
  it('recovers the weights, means and full covariances of a known 3-component mixture', () => {
    const codes = drawMixture(THREE, 6000, 1);
    const fit = fitMixture(codes, { components: 3, covarianceFloor: 1e-6, maxIterations: 200, tolerance: 1e-6, random: new SeededRandom(2) });
    expect(fit.converged).toBe(true);
    for (let t = 0; t < 3; t++) {
      const mean = THREE.means[t]!;
      // The fitted component nearest the true mean.
      const j = [0, 1, 2].reduce((best, c) => {
        const dist = (c: number) => (fit.mixture.means[c * 2]! - mean[0]!) ** 2 + (fit.mixture.means[c * 2 + 1]! - mean[1]!) ** 2;
        return dist(c) < dist(best) ? c : best;
      }, 0);
      expect(Math.abs(fit.mixture.weights[j]! - THREE.weights[t]!)).toBeLessThan(0.03);
      expect(Math.abs(fit.mixture.means[j * 2]! - mean[0]!)).toBeLessThan(0.1);
      expect(Math.abs(fit.mixture.means[j * 2 + 1]! - mean[1]!)).toBeLessThan(0.1);
      const covariance = covarianceOf(fit.mixture, j);
      THREE.covariances[t]!.forEach((value, e) => expect(Math.abs(covariance[e]! - value)).toBeLessThan(0.12 * Math.max(1, Math.abs(value))));
    }
    // The fit explains the data better than the truth does only by sampling noise.
    const truth: GaussianMixture = {
      k: 3,
      d: 2,
      weights: Float64Array.from(THREE.weights),
      means: Float64Array.from(THREE.means.flat()),
      choleskyFactors: Float64Array.from(THREE.covariances.flatMap(cholesky2)),
    };
    const gain = fit.logLikelihood - mixtureLogLikelihood(codes, truth);
    expect(gain).toBeGreaterThanOrEqual(0);
    expect(gain).toBeLessThan(0.01);
  });

  it('is the same fit for the same seed, and stays finite when every code is the same', () => {
    const codes = drawMixture(THREE, 500, 4);
    const a = fitMixture(codes, { components: 4, covarianceFloor: 1e-6, maxIterations: 30, tolerance: 1e-4, random: new SeededRandom(9) });
    const b = fitMixture(codes, { components: 4, covarianceFloor: 1e-6, maxIterations: 30, tolerance: 1e-4, random: new SeededRandom(9) });
    expect(Array.from(b.mixture.means)).toEqual(Array.from(a.mixture.means));
    expect(Array.from(b.mixture.choleskyFactors)).toEqual(Array.from(a.mixture.choleskyFactors));

    const same: CodeTable = { values: new Float64Array(20).fill(0.25), rows: 10, size: 2 };
    const flat = fitMixture(same, { components: 3, covarianceFloor: 1e-6, maxIterations: 10, tolerance: 1e-4, random: new SeededRandom(1) });
    expect(Number.isFinite(flat.logLikelihood)).toBe(true);
    expect([...flat.mixture.weights, ...flat.mixture.means, ...flat.mixture.choleskyFactors].every(Number.isFinite)).toBe(true);
    expect(flat.mixture.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
  });

  it('re-seeds an empty component at the code the mixture explains worst, with the weights summing to 1', () => {
    const codes: CodeTable = { values: Float64Array.from([0, 0, 1, 0, 0, 1, 5, 5, 6, 5, 20, 20]), rows: 6, size: 2 };
    const responsibilities = Float64Array.from([1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
    const rowLogLikelihoods = Float64Array.from([-3, -3, -3, -4, -4, -90]);
    const spread = Float64Array.from([1, 0, 0, 1]);
    const { mixture, reseeded } = maximization(codes, responsibilities, rowLogLikelihoods, 2, 1e-6, spread);
    expect(reseeded).toBe(true);
    expect(Array.from(mixture.means.subarray(2))).toEqual([20, 20]);
    expect(mixture.weights[1]).toBeCloseTo(1 / 6 / (1 + 1 / 6), 12);
    expect(mixture.weights[0]! + mixture.weights[1]!).toBeCloseTo(1, 12);
    expect(mixture.means[0]).toBeCloseTo(32 / 6, 12);
  });

  it('picks the true number of components by held-out likelihood on well-separated data', () => {
    const four: KnownMixture = {
      weights: [0.25, 0.25, 0.25, 0.25],
      means: [
        [-8, -8],
        [-8, 8],
        [8, -8],
        [8, 8],
      ],
      covariances: [
        [1, 0.3, 0.3, 1],
        [1, -0.5, -0.5, 1],
        [0.5, 0, 0, 2],
        [1, 0, 0, 1],
      ],
    };
    const codes = drawMixture(four, 2000, 5);
    const events: SamplerFitEvent[] = [];
    const choice = chooseMixture(codes, null, settings(), new SeededRandom(3), (event) => events.push(event));
    expect(choice.candidates.map((c) => c.components)).toEqual([1, 2, 4, 8, 16]);
    expect(choice.components).toBe(4);
    const score = (k: number) => choice.candidates.find((c) => c.components === k)!.heldOutLogLikelihood!;
    expect(score(4) - score(2)).toBeGreaterThan(1);
    // More components fit held-out codes about as well by chance; the choice stays at 4 whatever the split.
    for (const seed of [4, 5, 6]) expect(chooseMixture(codes, null, settings({ components: [2, 4, 8] }), new SeededRandom(seed)).components).toBe(4);
    // Each candidate ends with an event carrying its held-out log-likelihood, and the refit comes last.
    const scored = events.filter((e) => e.value !== undefined);
    expect(scored.map((e) => e.stage)).toEqual(['k=1', 'k=2', 'k=4', 'k=8', 'k=16']);
    expect(scored.map((e) => e.value)).toEqual(choice.candidates.map((c) => c.heldOutLogLikelihood));
    expect(events.at(-1)!.stage).toBe('refit k=4');

    // Held-out codes given separately: the chosen fit is kept, with no refit.
    const given = chooseMixture(codes, drawMixture(four, 300, 6), settings({ components: [2, 4, 8] }), new SeededRandom(3), (event) => events.push(event));
    expect(given.components).toBe(4);
    expect(events.at(-1)!.stage).toBe('k=8');
  });
});

describe('GaussianMixtureSampler', () => {
  const definition = () => getSampler('gmm');
  let model: VaeModel | null = null;

  afterEach(() => {
    model?.dispose();
    model = null;
  });

  function tinyVae(latentDim = 3): VaeModel {
    model = createModel({ ...getRegisteredModel('Vae').testConfig, className: 'Vae', latentDim });
    return model;
  }

  it('is registered as gmm with test settings', () => {
    expect(definition().className).toBe('GaussianMixtureSampler');
    expect(getSampler('GaussianMixtureSampler')).toBe(definition());
    expect(definition().testSettings).toEqual({ components: [1, 2], maxIterations: 10 });
  });

  it('fits a tiny Vae: draws of [n, latentDim], repeatable by seed, the same after a save and load, and no tensor left behind', async () => {
    const vae = tinyVae();
    const data = prototypeDataset([12], 40);
    const start = tf.memory().numTensors;
    const events: SamplerFitEvent[] = [];
    const sampler = await definition().fit(vae, { train: data, seed: 7, batchSize: 16, settings: definition().testSettings!, onProgress: (e) => events.push(e) });
    expect(sampler).toBeInstanceOf(GaussianMixtureSampler);
    expect(events[0]!.stage).toBe('encoding');
    expect(events.filter((e) => e.stage === 'encoding').at(-1)).toMatchObject({ done: 40, total: 40 });
    expect(events.some((e) => e.stage === 'k=2' && e.value !== undefined)).toBe(true);
    const config = sampler.getConfig() as GaussianMixtureSamplerConfig;
    expect(config).toMatchObject({ className: 'GaussianMixtureSampler', latentShape: [3] });
    expect([1, 2]).toContain(config.components);
    expect(sampler.variables().map((v) => [v.name, v.variable.shape])).toEqual([
      ['logWeights', [config.components]],
      ['means', [config.components, 3]],
      ['choleskyFactors', [config.components, 3, 3]],
    ]);

    const draws = sampler.sampleLatents(vae, 5, new SeededRandom(11));
    const again = sampler.sampleLatents(vae, 5, new SeededRandom(11));
    expect(draws.shape).toEqual([5, 3]);
    expect(Array.from(await again.data())).toEqual(Array.from(await draws.data()));

    const loaded = await deserializeSampler(await serializeSampler(sampler));
    expect(loaded.getConfig()).toEqual(config);
    const fromFile = loaded.sampleLatents(vae, 5, new SeededRandom(11));
    expect(Array.from(await fromFile.data())).toEqual(Array.from(await draws.data()));

    // The same seed fits the same sampler.
    const twin = await definition().fit(vae, { train: data, seed: 7, batchSize: 16, settings: definition().testSettings! });
    expect(await twin.variables()[1]!.variable.array()).toEqual(await sampler.variables()[1]!.variable.array());

    tf.dispose([draws, again, fromFile]);
    for (const s of [sampler, loaded, twin]) s.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it("draws 20,000 codes whose mean and covariance are the mixture's", async () => {
    const vae = tinyVae(2);
    const mixture: GaussianMixture = {
      k: 2,
      d: 2,
      weights: Float64Array.from([0.7, 0.3]),
      means: Float64Array.from([-1, 2, 3, -1]),
      choleskyFactors: Float64Array.from([...cholesky2([1, 0.5, 0.5, 2]), ...cholesky2([0.5, -0.3, -0.3, 0.4])]),
    };
    const sampler = new GaussianMixtureSampler({ latentShape: [2], components: 2 }, mixture);
    const start = tf.memory().numTensors;
    const codes = sampler.sampleLatents(vae, 20000, new SeededRandom(5));
    const values = await codes.data();
    codes.dispose();
    expect(tf.memory().numTensors).toBe(start);
    sampler.dispose();

    const expectedMean = [0, 1].map((a) => mixture.weights.reduce((s, w, j) => s + w * mixture.means[j * 2 + a]!, 0));
    const expectedCovariance = [0, 1, 2, 3].map((e) => {
      const [a, b] = [Math.floor(e / 2), e % 2];
      const second = mixture.weights.reduce((s, w, j) => s + w * (covarianceOf(mixture, j)[e]! + mixture.means[j * 2 + a]! * mixture.means[j * 2 + b]!), 0);
      return second - expectedMean[a]! * expectedMean[b]!;
    });
    const n = values.length / 2;
    const mean = [0, 1].map((a) => Array.from({ length: n }, (_, i) => values[i * 2 + a]!).reduce((s, v) => s + v, 0) / n);
    const covariance = [0, 1, 2, 3].map((e) => {
      const [a, b] = [Math.floor(e / 2), e % 2];
      let sum = 0;
      for (let i = 0; i < n; i++) sum += (values[i * 2 + a]! - mean[a]!) * (values[i * 2 + b]! - mean[b]!);
      return sum / n;
    });
    // Standard errors at 20k draws are about 0.015 for the means and 0.05 for the covariances.
    mean.forEach((m, a) => expect(Math.abs(m - expectedMean[a]!)).toBeLessThan(0.06));
    covariance.forEach((c, e) => expect(Math.abs(c - expectedCovariance[e]!)).toBeLessThan(0.15));
    // The components' shares too: codes left of x = 1 come almost all from the first component.
    const left = Array.from({ length: n }, (_, i) => values[i * 2]!).filter((x) => x < 1).length / n;
    expect(Math.abs(left - 0.7)).toBeLessThan(0.03);
  });

  it('refuses VqVae and LadderVae with the reason, and latent shapes it does not fit', async () => {
    for (const className of ['VqVae', 'LadderVae', 'LadderIafVae']) {
      const refused = createModel({ ...getRegisteredModel(className).testConfig, className });
      try {
        const reason = definition().unsupportedReason(refused);
        expect(reason).toMatch(className === 'VqVae' ? /discrete codebook entries/ : /hierarchy of latent layers/);
        await expect(definition().fit(refused, { train: prototypeDataset([12], 8) })).rejects.toThrow(reason!);
      } finally {
        refused.dispose();
      }
    }
    expect(definition().unsupportedReason(tinyVae())).toBeUndefined();
    expect(() => new GaussianMixtureSampler({ latentShape: [2, 3], components: 1 })).toThrow(/latentShape must be \[d\]/);
    const sampler = new GaussianMixtureSampler({ latentShape: [4], components: 1 });
    expect(() => sampler.sampleLatents(tinyVae(3), 2, new SeededRandom(1))).toThrow(/fit the sampler to this model/);
    sampler.dispose();
  });

  it('says what is wrong with bad settings', async () => {
    const vae = tinyVae();
    const data = prototypeDataset([12], 10);
    const fitWith = (s: Record<string, unknown>) => definition().fit(vae, { train: data, settings: s });
    await expect(fitWith({ component: 2 })).rejects.toThrow(/unknown Gaussian-mixture setting 'component'; known: components, covarianceFloor/);
    await expect(fitWith({ components: 0 })).rejects.toThrow(/components must be whole numbers >= 1, got 0/);
    await expect(fitWith({ components: [2, 2.5] })).rejects.toThrow(/got 2.5/);
    await expect(fitWith({ components: [] })).rejects.toThrow(/non-empty list/);
    await expect(fitWith({ components: [1, 1] })).rejects.toThrow(/lists a number twice/);
    await expect(fitWith({ components: 11 })).rejects.toThrow(/components 11 is more than the 10 codes/);
    // With a choice to make, a tenth is held out: 9 codes are left to fit.
    await expect(fitWith({ components: [1, 10] })).rejects.toThrow(/components 10 is more than the 9 codes/);
    await expect(fitWith({ covarianceFloor: 0 })).rejects.toThrow(/covarianceFloor must be a finite number > 0, got 0/);
    await expect(fitWith({ maxIterations: 0 })).rejects.toThrow(/maxIterations must be a whole number >= 1/);
    await expect(fitWith({ tolerance: Number.NaN })).rejects.toThrow(/tolerance must be a finite number >= 0, got NaN/);
    await expect(definition().fit(vae, { train: prototypeDataset([12], 1), settings: { components: [1, 2] } })).rejects.toThrow(/at least 2 codes/);
    expect(() => definition().create({ className: 'GaussianMixtureSampler', latentShape: [3], components: -1 })).toThrow(/components must be a whole number/);
    // The default candidates are cut to what 10 codes (9 after holding out) can fit.
    // One component draws too (a single Gaussian).
    const single = await fitWith({ components: 1 });
    const codes = single.sampleLatents(vae, 4, new SeededRandom(2));
    expect(codes.shape).toEqual([4, 3]);
    expect(Array.from(await codes.data()).every(Number.isFinite)).toBe(true);
    codes.dispose();
    single.dispose();
    const small = await fitWith({ maxIterations: 5 });
    expect((small.getConfig() as GaussianMixtureSamplerConfig).components).toBeLessThanOrEqual(8);
    small.dispose();
  });
});
