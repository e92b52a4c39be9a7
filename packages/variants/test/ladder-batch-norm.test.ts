import * as tf from '@tensorflow/tfjs-core';
import { deserializeModel, SeededRandom, serializeModel, type LossContext } from '@vaekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveLadderConfig } from '../src/ladder-config.js';
import type { LadderVae } from '../src/ladder-vae.js';
import { binaryBatch, smallLadder } from './ladder-fixture.js';
import { useCpu } from './setup-backend.js';

beforeAll(useCpu);

const context = (seed: number, training: boolean): LossContext => ({ rng: new SeededRandom(seed), step: 0, klWeight: 1, freeBits: 0, training });
const totalOf = (model: LadderVae, x: tf.Tensor, training: boolean): number => {
  const terms = model.loss(x, context(7, training));
  const value = terms.total.dataSync()[0]!;
  tf.dispose(Object.values(terms));
  return value;
};
const movingStats = (model: LadderVae) => model.variables().filter((v) => /moving_(mean|variance)$/.test(v.name));
const snapshot = (model: LadderVae): number[][] => movingStats(model).map((v) => Array.from(v.variable.dataSync()));

describe('LadderVAE with batch normalization', () => {
  let model: LadderVae;
  let x: tf.Tensor;
  beforeAll(() => {
    model = smallLadder({ batchNorm: true });
    x = binaryBatch(8, 5);
  });
  afterAll(() => {
    model.dispose();
    x.dispose();
  });

  it('normalizes every deterministic layer of both ladders, and keeps the moving averages out of the optimizer', () => {
    // Body layer (16) and block 0 (12) bottom-up, blocks 1 (8) and 2 (6); top-down blocks 0 (12) and 1 (8).
    const stats = movingStats(model);
    expect(stats.map((v) => v.variable.shape[0]).sort((a, b) => a! - b!)).toEqual([6, 6, 8, 8, 8, 8, 12, 12, 12, 12, 16, 16]);
    stats.forEach((v) => expect(v.trainable, v.name).toBe(false));
    const scales = model.variables().filter((v) => /(gamma|beta)$/.test(v.name));
    expect(scales).toHaveLength(12);
    scales.forEach((v) => expect(v.trainable, v.name).toBe(true));
  });

  it('moves its averages only in training calls: not in evaluation, encoding, sampling or log-weights', () => {
    const before = snapshot(model);
    totalOf(model, x, false);
    tf.dispose([model.encode(x), model.sample(3, new SeededRandom(1)), model.logWeights(x, 2, new SeededRandom(2)), model.klPerDimension(x, new SeededRandom(3))]);
    expect(snapshot(model)).toEqual(before);
    totalOf(model, x, true);
    const after = snapshot(model);
    expect(after).not.toEqual(before);
    after.flat().forEach((v) => expect(Number.isFinite(v)).toBe(true));
  });

  it('normalizes by batch statistics in training and by the moving averages otherwise', () => {
    const stats = movingStats(model);
    const saved = stats.map((v) => tf.clone(v.variable));
    const trainingBefore = totalOf(model, x, true);
    const evalBefore = totalOf(model, x, false);
    // Corrupt the averages: the training-mode loss must not change, the evaluation loss must.
    stats.forEach((v) => v.variable.assign(tf.fill(v.variable.shape, v.name.endsWith('variance') ? 9 : 3)));
    expect(totalOf(model, x, true)).toBeCloseTo(trainingBefore, 4);
    expect(Math.abs(totalOf(model, x, false) - evalBefore)).toBeGreaterThan(1e-3);
    stats.forEach((v, i) => v.variable.assign(saved[i]!));
    tf.dispose(saved);
  });

  it('differentiates a training-mode loss into the normalization scales and shifts', () => {
    const trainable = model.variables().filter((v) => v.trainable);
    const { grads, value } = tf.variableGrads(() => model.loss(x, context(11, true)).total as tf.Scalar, trainable.map((v) => v.variable));
    const scaleGrads = trainable.filter((v) => /(gamma|beta)$/.test(v.name)).map((v) => grads[v.variable.name]!);
    expect(scaleGrads).toHaveLength(12);
    const norms = scaleGrads.map((g) => tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]!));
    norms.forEach((n) => expect(Number.isFinite(n)).toBe(true));
    expect(norms.some((n) => n > 0)).toBe(true);
    value.dispose();
    tf.dispose(Object.values(grads));
  });

  it('saves and loads its moving averages with the model', async () => {
    totalOf(model, x, true);
    const restored = (await deserializeModel(await serializeModel(model))) as LadderVae;
    try {
      expect(restored.getConfig().batchNorm).toBe(true);
      expect(snapshot(restored)).toEqual(snapshot(model));
      expect(totalOf(restored, x, false)).toBeCloseTo(totalOf(model, x, false), 5);
    } finally {
      restored.dispose();
    }
  });

  it('refuses a batchNorm that is not a boolean', () => {
    expect(() => resolveLadderConfig({ batchNorm: 'yes' as unknown as boolean })).toThrow(/batchNorm must be true or false/);
  });
});
