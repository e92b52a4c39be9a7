import * as tf from '@tensorflow/tfjs-core';
import {
  deserializeSampler,
  drawSamples,
  getSampler,
  prototypeDataset,
  SeededRandom,
  serializeSampler,
  type SamplerFitEvent,
} from '@vaekit/core';
import { useCpu } from '@vaekit/test-utils';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createVae, createVqVae, VQ_CODE_PRIOR_SAMPLER, VqCodePriorSampler, vqLearnedPriorBound, type VqVae } from '../../src/index.js';
import { trainCodePrior, type CodeTable } from '../../src/samplers/vq-code-prior-fit.js';
import { resolveCodePriorSettings } from '../../src/samplers/vq-code-prior-settings.js';

beforeAll(useCpu);

const owned: { dispose(): void }[] = [];
afterEach(() => owned.splice(0).forEach((o) => o.dispose()));
function keep<T extends { dispose(): void }>(value: T): T {
  owned.push(value);
  return value;
}

const data = prototypeDataset([12], 48);

function tinyVq(): VqVae {
  return keep(
    createVqVae({
      inputShape: [12],
      architecture: { type: 'mlp', hiddenUnits: [10] },
      numLatents: 3,
      embeddingDim: 2,
      codebookSize: 5,
      deadCodeRestartSteps: 0,
      seed: 3,
    }),
  );
}

function samplerConfig(numLatents: number, codebookSize: number, hidden: number[], embeddingDim = 2) {
  return { className: 'VqCodePriorSampler', latentShape: [numLatents, embeddingDim], numLatents, codebookSize, hidden };
}

async function fitTiny(model: VqVae, seed = 1): Promise<VqCodePriorSampler> {
  const sampler = await VQ_CODE_PRIOR_SAMPLER.fit(model, { train: data, seed, settings: { hidden: [12], epochs: 8, batchSize: 8, learningRate: 1e-2 } });
  return keep(sampler as VqCodePriorSampler);
}

/** Every weight set to seeded normal noise: whatever fitting makes of them, the masks must hold. */
function randomizeWeights(sampler: VqCodePriorSampler, seed: number): void {
  const rng = new SeededRandom(seed);
  for (const { variable } of sampler.variables()) tf.tidy(() => variable.assign(rng.normal(variable.shape)));
}

describe('the masked network is autoregressive', () => {
  it('the logits of position i do not change whatever the codes at i and after are', () => {
    const L = 5;
    const K = 4;
    const sampler = keep(new VqCodePriorSampler(samplerConfig(L, K, [23, 17]), 7));
    randomizeWeights(sampler, 3);
    const base = [2, 0, 3, 1, 2];
    const baseLogits = tf.tidy(() => sampler.logits(tf.tensor2d([base], [1, L], 'int32')).arraySync()[0]!);
    for (let changed = 0; changed < L; changed++) {
      const perturbed = [...base];
      perturbed[changed] = (base[changed]! + 1) % K;
      const logits = tf.tidy(() => sampler.logits(tf.tensor2d([perturbed], [1, L], 'int32')).arraySync()[0]!);
      for (let i = 0; i < L; i++) {
        const difference = Math.max(...logits[i]!.map((v, k) => Math.abs(v - baseLogits[i]![k]!)));
        if (i <= changed) expect(difference, `position ${i} after changing ${changed}`).toBe(0);
        // Random weights read every earlier position: a change there moves the later logits.
        else expect(difference, `position ${i} after changing ${changed}`).toBeGreaterThan(0);
      }
    }
  });

  it('zero weights give the uniform prior: log p(c) = −L log K for every sequence', () => {
    const sampler = keep(new VqCodePriorSampler(samplerConfig(3, 5, [8])));
    const logProb = tf.tidy(() => sampler.logProb(tf.tensor2d([[0, 1, 2], [4, 4, 4]], [2, 3], 'int32')).arraySync());
    for (const value of logProb) expect(value).toBeCloseTo(-3 * Math.log(5), 5);
  });
});

describe('fitting learns the structure of code sequences', () => {
  // c2 = c1 and c4 = c3, with c1 and c3 uniform: the true NLL is 2 log K, half of L log K.
  const L = 4;
  const K = 6;
  function structured(rows: number, rng: SeededRandom): CodeTable {
    const codes = new Int32Array(rows * L);
    for (let r = 0; r < rows; r++) {
      const a = Math.floor(rng.nextFloat() * K);
      const b = Math.floor(rng.nextFloat() * K);
      codes.set([a, a, b, b], r * L);
    }
    return { codes, rows, length: L };
  }

  it('its held-out NLL falls well below L log K and its draws obey the rules', async () => {
    const rng = new SeededRandom(5);
    const sampler = keep(new VqCodePriorSampler(samplerConfig(L, K, [48, 48]), 11));
    const events: SamplerFitEvent[] = [];
    const settings = resolveCodePriorSettings({ hidden: [48, 48], epochs: 8, batchSize: 60, learningRate: 1e-2 });
    const result = await trainCodePrior(sampler, { train: structured(600, rng), heldOut: structured(150, rng) }, settings, rng, (e) => events.push(e));
    const uniform = L * Math.log(K);
    expect(result.heldOutNll).toBeLessThan(0.6 * uniform);
    expect(result.heldOutNll).toBeGreaterThan(2 * Math.log(K) - 0.2);
    expect(events.map((e) => e.stage)).toEqual(Array.from({ length: 8 }, (_, i) => `epoch ${i + 1}`));
    expect(Math.min(...events.map((e) => e.value!))).toBeCloseTo(result.heldOutNll, 6);

    const draws = tf.tidy(() => sampler.sampleIndices(400, new SeededRandom(9)).arraySync());
    const obeys = draws.filter(([a, b, c, d]) => b === a && d === c).length;
    expect(obeys / draws.length).toBeGreaterThan(0.9);
    // Both free positions still take every value.
    expect(new Set(draws.map((row) => row[0])).size).toBe(K);
    expect(new Set(draws.map((row) => row[2])).size).toBe(K);
  });
});

describe('VqCodePriorSampler on a VQ-VAE', () => {
  it('draws codebook vectors [n, numLatents, embeddingDim] and pictures the model decodes', async () => {
    const model = tinyVq();
    const sampler = await fitTiny(model);
    expect(sampler.latentShape).toEqual([3, 2]);
    const drawn = tf.tidy(() => {
      const codes = sampler.sampleLatents(model, 6, new SeededRandom(2));
      const indices = sampler.sampleIndices(6, new SeededRandom(2));
      // Each drawn code is the codebook row at the drawn index.
      const expected = tf.gather(model.codebook, indices);
      return { shape: codes.shape, same: tf.max(tf.abs(tf.sub(codes, expected))).dataSync()[0]!, pictures: drawSamples(model, sampler, 6, new SeededRandom(2)).shape };
    });
    expect(drawn.shape).toEqual([6, 3, 2]);
    expect(drawn.same).toBe(0);
    expect(drawn.pictures).toEqual([6, 12]);
    const indices = tf.tidy(() => sampler.sampleIndices(50, new SeededRandom(4)).arraySync().flat());
    expect(indices.every((i) => Number.isInteger(i) && i >= 0 && i < 5)).toBe(true);
  });

  it('is repeatable: the same seed fits the same weights and draws the same codes', async () => {
    const model = tinyVq();
    const a = await fitTiny(model, 4);
    const b = await fitTiny(model, 4);
    const c = await fitTiny(model, 5);
    const draw = (s: VqCodePriorSampler) => tf.tidy(() => s.sampleIndices(20, new SeededRandom(8)).arraySync());
    expect(draw(a)).toEqual(draw(b));
    const weights = (s: VqCodePriorSampler) => s.variables().map((v) => Array.from(v.variable.dataSync()));
    expect(weights(a)).toEqual(weights(b));
    expect(weights(a)).not.toEqual(weights(c));
  });

  it('reports encoding and every epoch, and a held-out set given replaces the split', async () => {
    const model = tinyVq();
    const events: SamplerFitEvent[] = [];
    keep(
      await VQ_CODE_PRIOR_SAMPLER.fit(model, {
        train: data,
        heldOut: prototypeDataset([12], 10, 3),
        settings: { hidden: [8], epochs: 2 },
        onProgress: (e) => events.push(e),
      }),
    );
    expect(events.filter((e) => e.stage === 'encoding').at(-1)).toMatchObject({ done: 48, total: 48 });
    expect(events.filter((e) => e.stage === 'encoding held-out').at(-1)).toMatchObject({ done: 10, total: 10 });
    expect(events.filter((e) => e.stage.startsWith('epoch')).map((e) => e.done)).toEqual([1, 2]);
  });

  it('saves and loads whole: the loaded sampler draws the same codes', async () => {
    const model = tinyVq();
    const sampler = await fitTiny(model);
    const bytes = await serializeSampler(sampler);
    const loaded = keep(await deserializeSampler(bytes));
    expect(loaded).toBeInstanceOf(VqCodePriorSampler);
    expect(loaded.getConfig()).toEqual(sampler.getConfig());
    const draw = (s: { sampleLatents: VqCodePriorSampler['sampleLatents'] }) => tf.tidy(() => s.sampleLatents(model, 10, new SeededRandom(6)).arraySync());
    expect(draw(loaded)).toEqual(draw(sampler));
  });

  it('leaves no tensor behind: fit, draw, score, bound and dispose', async () => {
    const model = tinyVq();
    const before = tf.memory().numTensors;
    const sampler = await VQ_CODE_PRIOR_SAMPLER.fit(model, { train: data, settings: { hidden: [8], epochs: 2 } });
    const x = data.batch([0, 1, 2], 0);
    tf.dispose([sampler.sampleLatents(model, 4, new SeededRandom(1)), vqLearnedPriorBound(model, sampler as VqCodePriorSampler, x)]);
    x.dispose();
    sampler.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is registered as code-prior, with tiny test settings', () => {
    expect(getSampler('code-prior')).toMatchObject({ className: 'VqCodePriorSampler' });
    expect(VQ_CODE_PRIOR_SAMPLER.testSettings).toBeDefined();
  });
});

describe('the likelihood bound with the code prior', () => {
  it('with zero logits it is the VQ-VAE\'s own ELBO, log p(x|z_q) − L log K', () => {
    const model = tinyVq();
    const uniform = keep(new VqCodePriorSampler(samplerConfig(3, 5, [8])));
    const x = keep(data.batch([0, 1, 2, 3, 4], 0));
    const [bound, elbo] = tf.tidy(() => [vqLearnedPriorBound(model, uniform, x).arraySync(), model.logWeights(x, 1, new SeededRandom(0)).arraySync()[0]!]);
    bound!.forEach((value, i) => expect(value).toBeCloseTo(elbo![i]!, 3));
  });

  it('after fitting, its mean over the data it was fitted to is higher than with the uniform prior', async () => {
    const model = tinyVq();
    const fitted = await fitTiny(model);
    const uniform = keep(new VqCodePriorSampler(samplerConfig(3, 5, [12])));
    const x = keep(data.batch(Array.from({ length: 48 }, (_, i) => i), 0));
    const mean = (s: VqCodePriorSampler) => tf.tidy(() => tf.mean(vqLearnedPriorBound(model, s, x)).dataSync()[0]!);
    expect(mean(fitted)).toBeGreaterThan(mean(uniform) + 0.5);
  });
});

describe('refusals', () => {
  it('refuses a model without codebook indices, naming it', async () => {
    const vae = keep(createVae({ inputShape: [12], latentDim: 2, architecture: { type: 'mlp', hiddenUnits: [8] } }));
    expect(VQ_CODE_PRIOR_SAMPLER.unsupportedReason(vae)).toMatch(/Vae has no such codes/);
    expect(VQ_CODE_PRIOR_SAMPLER.unsupportedReason(tinyVq())).toBeUndefined();
    await expect(VQ_CODE_PRIOR_SAMPLER.fit(vae, { train: data })).rejects.toThrow(/a VQ-VAE gives each example/);
    const sampler = keep(new VqCodePriorSampler(samplerConfig(3, 5, [8])));
    expect(() => sampler.sampleLatents(vae, 2, new SeededRandom(0))).toThrow(/Vae has no such codes/);
    expect(() => vqLearnedPriorBound(vae, sampler, tf.zeros([1, 12]))).toThrow(/Vae has no such codes/);
  });

  it('refuses a VQ-VAE of another codebook size or code count', () => {
    const sampler = keep(new VqCodePriorSampler(samplerConfig(3, 4, [8])));
    const model = tinyVq();
    expect(() => sampler.sampleLatents(model, 2, new SeededRandom(0))).toThrow(/models 3 codes from a codebook of 4, but the VqVae has 3 codes from a codebook of 5/);
    expect(() => vqLearnedPriorBound(model, sampler, tf.zeros([1, 12]))).toThrow(/codebook of 4, but the VqVae/);
  });

  it('refuses bad settings, configs and inputs with a sentence naming them', async () => {
    const model = tinyVq();
    await expect(VQ_CODE_PRIOR_SAMPLER.fit(model, { train: data, settings: { layers: 2 } })).rejects.toThrow(/unknown code prior setting 'layers'/);
    await expect(VQ_CODE_PRIOR_SAMPLER.fit(model, { train: data, settings: { epochs: 0 } })).rejects.toThrow(/epochs must be a whole number >= 1/);
    await expect(VQ_CODE_PRIOR_SAMPLER.fit(model, { train: data, settings: { hidden: [] } })).rejects.toThrow(/hidden must list 1 to 8/);
    await expect(VQ_CODE_PRIOR_SAMPLER.fit(model, { train: data, settings: { learningRate: -1 } })).rejects.toThrow(/learningRate must be a finite number > 0/);
    expect(() => VQ_CODE_PRIOR_SAMPLER.create({ ...samplerConfig(3, 5, [8]), latentShape: [4, 2] })).toThrow(/latentShape must be \[numLatents, embeddingDim\]/);
    expect(() => VQ_CODE_PRIOR_SAMPLER.create({ ...samplerConfig(3, 5, [8]), codebookSize: 1 })).toThrow(/codebookSize must be a whole number >= 2/);
    expect(() => VQ_CODE_PRIOR_SAMPLER.create(samplerConfig(64, 4096, [1 << 16]))).toThrow(/larger than/);
    const sampler = keep(new VqCodePriorSampler(samplerConfig(3, 5, [8])));
    expect(() => sampler.logProb(tf.zeros([2, 4], 'int32'))).toThrow(/shape \[n, 3\], got \[2,4\]/);
    expect(() => sampler.logProb(tf.zeros([2, 3]))).toThrow(/must be int32, got float32/);
    expect(() => sampler.sampleIndices(0, new SeededRandom(0))).toThrow(/sample count must be a whole number >= 1/);
  });
});
