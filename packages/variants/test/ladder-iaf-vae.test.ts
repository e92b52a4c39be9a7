import * as tf from '@tensorflow/tfjs-core';
import {
  createModel,
  evaluate,
  hasKlPerDimension,
  hasPosteriorMean,
  isGaussianLatentModel,
  SeededRandom,
  standardNormalLogProb,
  type LossContext,
} from '@vaekit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '@vaekit/core';
import { LADDER_IAF_VAE_SCHEMA } from '../src/ladder-config.js';
import { createLadderIafVae, type LadderIafVae } from '../src/ladder-iaf-vae.js';
import '../src/register.js';
import { createLadderVae } from '../src/ladder-vae.js';
import { binaryBatch, SMALL_LADDER_DIMS } from './ladder-fixture.js';
import { jacobian, logAbsDet } from './jacobian.js';
import { read, useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);

const context = (seed: number): LossContext => ({ rng: new SeededRandom(seed), step: 0, klWeight: 1, freeBits: 0, training: false });

/** The three-layer test ladder of `ladder-fixture.ts`, with two IAF steps per layer. */
const LADDER_SHAPE = {
  inputShape: [10],
  latentDims: [...SMALL_LADDER_DIMS],
  deterministicUnits: [12, 8, 6],
  architecture: { type: 'mlp' as const, hiddenUnits: [16] },
  batchNorm: false,
  seed: 3,
};
const smallLadderIaf = (): LadderIafVae => createLadderIafVae({ ...LADDER_SHAPE, flowSteps: 2, madeHiddenUnits: [7], contextUnits: 5 });

/** Sets every MADE weight to zero and every gate bias to `gateBias`: each step is then z ← σ(g) z. */
function flattenFlows(model: LadderIafVae, gateBias: number): void {
  for (const { name, variable } of model.variables()) {
    if (!/^layer\d+\/iaf/.test(name)) continue;
    variable.assign(tf.tidy(() => tf.fill(variable.shape, name.endsWith('gate/bias') ? gateBias : 0)));
  }
}

describe('LadderIafVae', () => {
  it('with identity flows is the plain ladder: the same log-weights and one-sample ELBO from the same weights', () => {
    const iaf = smallLadderIaf();
    const plain = createLadderVae({ ...LADDER_SHAPE, klEstimator: 'monte-carlo' });
    flattenFlows(iaf, 40); // σ(40) = 1 in float32: z = z0, log-det 0.
    // Copy the ladder's weights; the bottom-up heads are wider by the context, which comes last.
    const plainWeights = new Map(plain.variables().map((v) => [v.name, v.variable]));
    for (const { name, variable } of iaf.variables()) {
      const target = plainWeights.get(name);
      if (!target) continue;
      target.assign(tf.tidy(() => (tf.util.arraysEqual(target.shape, variable.shape) ? variable : tf.slice(variable, 0, target.shape))));
    }
    expect(plainWeights.size).toBe(iaf.variables().filter((v) => plainWeights.has(v.name)).length);
    const x = binaryBatch(6, 11);
    const iafWeights = read(iaf.logWeights(x, 4, new SeededRandom(2)));
    read(plain.logWeights(x, 4, new SeededRandom(2))).forEach((v, i) => expect(iafWeights[i]).toBeCloseTo(v, 3));
    const iafTerms = iaf.loss(x, context(5));
    const plainTerms = plain.loss(x, context(5));
    for (const key of ['total', 'reconstruction', 'kl', 'kl_layer0', 'kl_layer1', 'kl_layer2']) {
      expect(read(iafTerms[key]!)[0], key).toBeCloseTo(read(plainTerms[key]!)[0]!, 3);
    }
    expect(Math.abs(read(iafTerms['logDet']!)[0]!)).toBeLessThan(1e-5);
    expect(plainTerms['logDet']).toBeUndefined();
    x.dispose();
    iaf.dispose();
    plain.dispose();
  });

  it('counts each layer’s log-determinant in its density: a flow rescaling the standardized draw by c gives log q = log N(z0) − D log c', () => {
    const model = smallLadderIaf();
    const gateBias = 0.8;
    flattenFlows(model, gateBias);
    const c = (1 / (1 + Math.exp(-gateBias))) ** 2;
    const x = binaryBatch(5, 12);
    const rows = tf.tidy(() => {
      const layers = model.drawLayers(x, 3, new SeededRandom(8));
      const z1 = layers[0]!.z;
      const byHand = [model.logLikelihood(tf.tile(x, [3, 1]), z1)];
      layers.forEach((layer, i) => {
        // The flow scales the standardized draw: z − μ = c (z0 − μ).
        const offset = tf.sub(tf.sub(layer.z, layer.posterior.mean), tf.mul(tf.sub(layer.z0, layer.posterior.mean), c));
        expect(read(offset).every((v) => Math.abs(v) < 1e-5)).toBe(true);
        read(tf.clone(layer.logDet!)).forEach((v) => expect(v).toBeCloseTo(SMALL_LADDER_DIMS[i]! * Math.log(c), 4));
        const prior = layer.prior ? layer.prior.logProb(layer.z) : standardNormalLogProb(layer.z);
        // The flow's density, written out: q(z) = N(z0) / c^D.
        const logQ = tf.sub(layer.posterior.logProb(layer.z0), SMALL_LADDER_DIMS[i]! * Math.log(c));
        byHand.push(tf.sub(prior, logQ));
      });
      return tf.reshape(tf.addN(byHand), [3, 5]);
    });
    const expected = read(rows);
    read(model.logWeights(x, 3, new SeededRandom(8))).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 3));
    x.dispose();
    model.dispose();
  });

  it('feeds each layer’s flowed draw, not its Gaussian draw, to the prior of the layer below', () => {
    const model = smallLadderIaf();
    const x = binaryBatch(4, 13);
    tf.tidy(() => {
      const layers = model.drawLayers(x, 1, new SeededRandom(3));
      for (let i = 0; i < layers.length - 1; i++) {
        const fromFlowed = model.prior(i, layers[i + 1]!.z);
        const fromBase = model.prior(i, layers[i + 1]!.z0);
        // The random flow does move the draw, so the check below can tell the two apart.
        expect(read(tf.max(tf.abs(tf.sub(fromFlowed.mean, fromBase.mean))))[0]).toBeGreaterThan(1e-3);
        const got = read(tf.clone(layers[i]!.prior!.mean));
        read(tf.clone(fromFlowed.mean)).forEach((v, j) => expect(got[j]).toBeCloseTo(v, 5));
      }
    });
    x.dispose();
    model.dispose();
  });

  it('reports each layer’s log-det equal to the numerical log|det J| of its flow', () => {
    const model = smallLadderIaf();
    const x = binaryBatch(1, 14);
    const { estimates, contexts } = model.bottomUpPass(x);
    model.flows.forEach((flow, i) => {
      const z0 = new SeededRandom(20 + i).normal([1, SMALL_LADDER_DIMS[i]!]);
      const { z, logDet } = flow.apply(z0, contexts[i]!);
      z.dispose();
      const jac = jacobian((input) => flow.apply(input, contexts[i]!).z, z0);
      expect(read(logDet)[0]).toBeCloseTo(logAbsDet(jac), 4);
      z0.dispose();
    });
    tf.dispose([x, ...contexts, ...estimates.flatMap((e) => [e.mean, e.logVar])]);
    model.dispose();
  });

  it('sums its per-layer KLs, and its k = 1 log-weights are the negative one-sample ELBO', () => {
    const model = smallLadderIaf();
    const x = binaryBatch(5, 15);
    const terms = model.loss(x, context(6));
    const total = read(terms.total)[0]!;
    const layers = [0, 1, 2].map((i) => read(terms[`kl_layer${i}`]!)[0]!);
    expect(read(terms.kl)[0]).toBeCloseTo(layers.reduce((a, b) => a + b, 0), 4);
    expect(-read(tf.mean(model.logWeights(x, 1, new SeededRandom(6))))[0]!).toBeCloseTo(total, 3);
    tf.dispose([terms.reconstruction, terms['logDet']!, x]);
    model.dispose();
  });

  it('trains every flow weight of every layer: the loss has a gradient into each', () => {
    const model = smallLadderIaf();
    const x = binaryBatch(8, 16);
    const flowWeights = model.variables().filter((v) => /^layer\d+\/iaf/.test(v.name));
    expect(new Set(flowWeights.map((v) => v.name.split('/')[0]))).toEqual(new Set(['layer0', 'layer1', 'layer2']));
    const { grads, value } = tf.variableGrads(() => model.loss(x, context(2)).total, flowWeights.map((v) => v.variable));
    for (const { name, variable } of flowWeights) {
      const norm = read(tf.norm(grads[variable.name]!))[0]!;
      expect(Number.isFinite(norm), name).toBe(true);
      // Gate and mean kernels from the last hidden layer, and everything upstream, all carry signal.
      expect(norm, name).toBeGreaterThan(0);
    }
    tf.dispose([value, ...Object.values(grads), x]);
    model.dispose();
  });

  it('keeps a finite gradient when a lower layer’s posterior variance is below float32’s range (log σ² = −120)', () => {
    // Recovering the noise as (z0 − μ) / σ made this gradient NaN under a finite loss: the division's
    // gradient divides by σ², which is 0 in float32 here.
    const model = smallLadderIaf();
    const dims = SMALL_LADDER_DIMS[0];
    const head = model.variables().find((v) => v.name.startsWith('bottomUpHead0') && v.name.endsWith('bias'))!.variable;
    head.assign(tf.tidy(() => tf.concat([tf.zeros([dims]), tf.fill([dims], -120), tf.zeros([head.shape[0]! - 2 * dims])])));
    const x = binaryBatch(6, 18);
    const trainable = model.variables().filter((v) => v.variable.trainable);
    const { grads, value } = tf.variableGrads(() => model.loss(x, context(9)).total, trainable.map((v) => v.variable));
    expect(Number.isFinite(read(value)[0])).toBe(true);
    for (const { name, variable } of trainable) {
      expect(Number.isFinite(read(tf.norm(grads[variable.name]!))[0]), name).toBe(true);
    }
    tf.dispose(Object.values(grads));
    const logWeights = read(model.logWeights(x, 3, new SeededRandom(9)));
    logWeights.forEach((w) => expect(Number.isFinite(w)).toBe(true));
    x.dispose();
    model.dispose();
  });

  it('has no per-dimension KL; evaluate counts active units from the variance of its posterior mean', async () => {
    const model = smallLadderIaf();
    expect(isGaussianLatentModel(model)).toBe(false);
    expect(hasKlPerDimension(model)).toBe(false);
    expect(hasPosteriorMean(model)).toBe(true);
    const x = binaryBatch(6, 17);
    const mean = read(model.posteriorMean(x, new SeededRandom(4)));
    const byHand = read(
      tf.tidy(() => {
        const z = tf.concat(model.drawLayers(x, 16, new SeededRandom(4)).map((layer) => layer.z), 1);
        return tf.mean(tf.reshape(z, [16, 6, 9]), 0);
      }),
    );
    mean.forEach((v, i) => expect(v).toBeCloseTo(byHand[i]!, 5));
    const data = { size: 6, exampleShape: [10], binary: true, batch: (indices: readonly number[]) => tf.gather(x, [...indices]) };
    const result = await evaluate(model, data, { batchSize: 3, k: 4 });
    expect(result.activeUnits?.criterion).toBe('posterior-mean-variance');
    expect(result.activeUnits?.total).toBe(9);
    expect(Number.isFinite(result.iwae!.nll)).toBe(true);
    x.dispose();
    model.dispose();
  });

  it('fills the ladder’s and the IAF’s defaults and checks both sets of fields', () => {
    const config = resolveConfig(LADDER_IAF_VAE_SCHEMA, {});
    expect(config).toMatchObject({ latentDims: [64, 32], deterministicUnits: [512, 256], batchNorm: true, latentDim: 96 });
    expect([config.flowSteps, config.madeHiddenUnits, config.contextUnits]).toEqual([2, [320, 320], 32]);
    expect(() => resolveConfig(LADDER_IAF_VAE_SCHEMA, { flowSteps: 0 })).toThrow(/LadderIafVae: flowSteps/);
    expect(() => resolveConfig(LADDER_IAF_VAE_SCHEMA, { madeHiddenUnits: [] })).toThrow(/madeHiddenUnits/);
    expect(() => resolveConfig(LADDER_IAF_VAE_SCHEMA, { latentDims: [4] })).toThrow(/latentDims/);
    expect(() => createModel({ className: 'LadderIafVae', latentDim: 8 })).toThrow(/latentDim is the total/);
    // @ts-expect-error: LadderIafVaeConfig has no codebookSize; a JavaScript caller's is refused at run time
    expect(() => createModel({ className: 'LadderIafVae', codebookSize: 8 })).toThrow(/codebookSize/);
  });

  it('leaves no tensors behind from losses, log-weights, codes, samples, posterior means', () => {
    const model = smallLadderIaf();
    const x = binaryBatch(3, 18);
    const before = tf.memory().numTensors;
    tf.dispose([
      ...Object.values(model.loss(x, context(1))),
      model.logWeights(x, 4, new SeededRandom(2)),
      model.encode(x),
      model.reconstruct(x),
      model.sample(2, new SeededRandom(3)),
      model.posteriorMean(x, new SeededRandom(4)),
    ]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});
