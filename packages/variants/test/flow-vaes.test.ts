import * as tf from '@tensorflow/tfjs-core';
import {
  DiagonalGaussian,
  evaluate,
  hasKlPerDimension,
  hasPosteriorMean,
  SeededRandom,
  isGaussianLatentModel,
  klStandardNormal,
  standardNormalLogProb,
  type LossContext,
} from '@vaekit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '@vaekit/core';
import { IAF_VAE_SCHEMA, PLANAR_FLOW_VAE_SCHEMA, type FlowVaeConfig } from '../src/flow-config.js';
import type { FlowVae } from '../src/flow-vae.js';
import { createIafVae } from '../src/iaf-vae.js';
import { createPlanarFlowVae } from '../src/planar-flow-vae.js';
import { read, useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);

const context = (seed: number): LossContext => ({ rng: new SeededRandom(seed), step: 0, klWeight: 1, freeBits: 0, training: false });

/** Per-example KL from many posterior draws of a flow model: mean and standard error of log q_K − log p. */
function monteCarloKl(model: FlowVae<FlowVaeConfig>, x: tf.Tensor, k: number, seed: number): { mean: number[]; se: number[] } {
  const [mean, se] = tf.tidy(() => {
    const { z, logQ } = model.draw(x, k, new SeededRandom(seed));
    const estimates = tf.reshape(tf.sub(logQ, standardNormalLogProb(z)), [k, x.shape[0]!]);
    const moments = tf.moments(estimates, 0);
    return [moments.mean, tf.sqrt(tf.div(moments.variance, k))];
  });
  return { mean: read(mean!), se: read(se!) };
}

const binaryBatch = (n: number, dims: number, seed: number): tf.Tensor =>
  tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([n, dims], 0, 1, 'float32', seed), 0.5), 'float32'));

describe('flow VAEs', () => {
  it('are not GaussianLatentModels and report the mean log-det as a loss term', () => {
    for (const model of [
      createPlanarFlowVae({ inputShape: [6], latentDim: 2, architecture: { type: 'mlp', hiddenUnits: [8] } }),
      createIafVae({ inputShape: [6], latentDim: 2, madeHiddenUnits: [4], contextUnits: 3, architecture: { type: 'mlp', hiddenUnits: [8] } }),
    ]) {
      expect(isGaussianLatentModel(model)).toBe(false);
      const x = binaryBatch(5, 6, 1);
      const terms = model.loss(x, context(3));
      expect(Object.keys(terms)).toEqual(expect.arrayContaining(['total', 'reconstruction', 'kl', 'logDet']));
      const draw = model.draw(x, 1, new SeededRandom(3));
      const meanLogDet = read(tf.mean(draw.logDet));
      const klByHand = read(tf.tidy(() => tf.mean(tf.sub(draw.logQ, standardNormalLogProb(draw.z)))));
      tf.dispose([draw.z, draw.z0, draw.logQ]);
      expect(read(terms.logDet!)[0]).toBeCloseTo(meanLogDet[0]!, 5);
      expect(read(terms.kl)[0]).toBeCloseTo(klByHand[0]!, 4);
      // k = 1 log-weights on the same noise are the negative one-sample ELBO.
      expect(-read(tf.mean(model.logWeights(x, 1, new SeededRandom(3))))[0]!).toBeCloseTo(read(terms.total)[0]!, 3);
      tf.dispose([terms.total, terms.reconstruction, x]);
      model.dispose();
    }
  });

  it('planar with identity parameters (û = 0) reduces to the base Gaussian: log q_K = log q0, MC KL ≈ closed form', () => {
    const D = 3;
    const K = 2;
    const model = createPlanarFlowVae({ inputShape: [8], latentDim: D, flowSteps: K, architecture: { type: 'mlp', hiddenUnits: [10] }, seed: 2 });
    const encoderWeights = model.variables().filter((v) => v.name.startsWith('encoder/'));
    const kernel = encoderWeights[encoderWeights.length - 2]!.variable;
    const bias = encoderWeights[encoderWeights.length - 1]!.variable;
    expect(kernel.shape).toEqual([10, 2 * D + K * (2 * D + 1)]);
    // Flow columns: zero weights; biases give each step w, u = log(e − 1) w / ||w||² and b.
    const w = [0.5, -1.0, 0.3];
    const scale = Math.log(Math.E - 1) / w.reduce((a, v) => a + v * v, 0);
    const stepBias = [...w.map((v) => v * scale), ...w, 0.7];
    tf.tidy(() => {
      kernel.assign(tf.concat([tf.slice(kernel, [0, 0], [-1, 2 * D]), tf.zeros([10, K * (2 * D + 1)])], 1));
      bias.assign(tf.concat([tf.slice(bias, [0], [2 * D]), tf.tensor1d([...stepBias, ...stepBias])]));
    });
    const x = binaryBatch(4, 8, 2);
    const draw = model.draw(x, 3, new SeededRandom(1));
    read(draw.logDet).forEach((v) => expect(Math.abs(v)).toBeLessThan(1e-5));
    const z = read(draw.z);
    read(draw.z0).forEach((v, i) => expect(z[i]).toBeCloseTo(v, 5));
    draw.logQ.dispose();
    const { base, flowInput } = model.encoderOutputs(x);
    const closed = read(klStandardNormal(base));
    const encoded = read(model.encode(x));
    read(base.mean).forEach((v, i) => expect(encoded[i]).toBeCloseTo(v, 5));
    tf.dispose([base.logVar, flowInput]);
    const { mean, se } = monteCarloKl(model, x, 4000, 9);
    closed.forEach((exact, i) => expect(Math.abs(mean[i]! - exact)).toBeLessThanOrEqual(4 * se[i]! + 1e-4));
    x.dispose();
    model.dispose();
  });

  it('IAF with zeroed MADE weights is a fixed rescaling z_K = σ(g)^K z_0: MC KL matches the rescaled Gaussian, and the identity as σ → 1', () => {
    const D = 3;
    const K = 2;
    for (const gateBias of [0, 1.5, 40]) {
      const model = createIafVae({
        inputShape: [8],
        latentDim: D,
        flowSteps: K,
        madeHiddenUnits: [6],
        contextUnits: 4,
        architecture: { type: 'mlp', hiddenUnits: [10] },
        seed: 5,
      });
      for (const { name, variable } of model.variables()) {
        if (!name.startsWith('iaf')) continue;
        variable.assign(tf.tidy(() => tf.fill(variable.shape, name.endsWith('gate/bias') ? gateBias : 0)));
      }
      const x = binaryBatch(4, 8, 3);
      const c = (1 / (1 + Math.exp(-gateBias))) ** K;
      const { base, flowInput } = model.encoderOutputs(x);
      const scaled = new DiagonalGaussian(tf.mul(base.mean, c), tf.add(base.logVar, 2 * Math.log(c)));
      const closed = read(klStandardNormal(scaled));
      tf.dispose([base.mean, base.logVar, flowInput, scaled.mean, scaled.logVar]);
      const draw = model.draw(x, 2, new SeededRandom(4));
      const z = read(draw.z);
      read(draw.z0).forEach((v, i) => expect(z[i]).toBeCloseTo(c * v, 5));
      read(draw.logDet).forEach((v) => expect(v).toBeCloseTo(K * D * Math.log(1 / (1 + Math.exp(-gateBias))), 4));
      draw.logQ.dispose();
      const { mean, se } = monteCarloKl(model, x, 4000, 10);
      closed.forEach((exact, i) => expect(Math.abs(mean[i]! - exact), `gate bias ${gateBias}`).toBeLessThanOrEqual(4 * se[i]! + 1e-4));
      x.dispose();
      model.dispose();
    }
  });

  it('estimate the posterior mean by Monte Carlo, and evaluate counts active units from its variance', async () => {
    const model = createIafVae({ inputShape: [6], latentDim: 3, madeHiddenUnits: [4], contextUnits: 3, architecture: { type: 'mlp', hiddenUnits: [8] } });
    const x = binaryBatch(5, 6, 7);
    expect(hasKlPerDimension(model)).toBe(false);
    expect(hasPosteriorMean(model)).toBe(true);
    const mean = model.posteriorMean(x, new SeededRandom(5));
    expect(mean.shape).toEqual([5, 3]);
    // The same draws by hand: 16 per example, draw-major rows, averaged per example.
    const draw = model.draw(x, 16, new SeededRandom(5));
    const byHand = read(tf.tidy(() => tf.mean(tf.reshape(draw.z, [16, 5, 3]), 0)));
    tf.dispose([draw.z, draw.z0, draw.logQ, draw.logDet]);
    read(mean).forEach((v, i) => expect(v).toBeCloseTo(byHand[i]!, 5));

    const data = { size: 5, exampleShape: [6], binary: true, batch: (indices: readonly number[]) => tf.gather(x, [...indices]) };
    const result = await evaluate(model, data, { batchSize: 2 });
    expect(result.activeUnits?.criterion).toBe('posterior-mean-variance');
    expect(result.activeUnits?.total).toBe(3);
    result.activeUnits!.perDimension.forEach((v) => expect(v).toBeGreaterThanOrEqual(0));
    x.dispose();
    model.dispose();
  });

  it('validates configs and fills the documented defaults', () => {
    expect(resolveConfig(PLANAR_FLOW_VAE_SCHEMA, {}).flowSteps).toBe(4);
    const iaf = resolveConfig(IAF_VAE_SCHEMA, {});
    expect([iaf.flowSteps, iaf.madeHiddenUnits, iaf.contextUnits]).toEqual([2, [320, 320], 32]);
    expect(() => resolveConfig(PLANAR_FLOW_VAE_SCHEMA, { flowSteps: 0 })).toThrow(/flowSteps/);
    expect(() => resolveConfig(IAF_VAE_SCHEMA, { madeHiddenUnits: [] })).toThrow(/madeHiddenUnits/);
    expect(() => resolveConfig(IAF_VAE_SCHEMA, { contextUnits: 1.5 })).toThrow(/contextUnits/);
  });

  it('leaves no tensors behind from draws, losses and log-weights', () => {
    const model = createIafVae({ inputShape: [6], latentDim: 2, madeHiddenUnits: [4], contextUnits: 3, architecture: { type: 'mlp', hiddenUnits: [8] } });
    const x = binaryBatch(3, 6, 4);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      model.loss(x, context(1));
      model.logWeights(x, 5, new SeededRandom(2));
      model.encode(x);
      model.reconstruct(x);
      model.sample(2, new SeededRandom(3));
    });
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});
