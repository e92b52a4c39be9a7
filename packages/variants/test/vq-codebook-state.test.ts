import * as tf from '@tensorflow/tfjs-core';
import { deserializeModel, evaluate, serializeModel } from '@vaekit/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { VqVae } from '../src/index.js';
import { perplexityFromCounts } from '../src/internal.js';
import { useCpu } from '@vaekit/test-utils';
import {
  batch,
  context,
  data,
  disposeModels,
  HAND_CODEBOOK,
  lossValues,
  read2d,
  RIGGED,
  rigEncoder,
  setCodebook,
  tiny,
  variable,
} from './vq-fixture.js';

beforeAll(useCpu);
afterEach(disposeModels);

describe('EMA codebook', () => {
  it('moves each used code toward the mean of its assigned encoder outputs by the EMA rule', () => {
    const decay = 0.9;
    const eps = 1e-5;
    const model = tiny({ codebook: 'ema', emaDecay: decay, emaEpsilon: eps });
    setCodebook(model, HAND_CODEBOOK);
    rigEncoder(model, RIGGED);
    const x = batch(3);
    lossValues(model, x, context(true));
    // Counts: code 0 and code 1 each got 3 vectors; all started at a pseudo-count of 1.
    const counts = [0.9 + 0.3, 0.9 + 0.3, 0.9, 0.9];
    const sums = [
      [0.3 * 0.1, 0.3 * 0.2],
      [0.9 + 0.3 * 0.9, 0.3 * 0.1],
      [0, 0.9],
      [4.5, 4.5],
    ];
    const total = counts.reduce((a, b) => a + b, 0);
    const expected = sums.map((row, i) => row.map((s) => s / (((counts[i]! + eps) / (total + 4 * eps)) * total)));
    expect(Array.from(variable(model, 'vq/emaCounts').dataSync()).map((c) => +c.toFixed(6))).toEqual(counts.map((c) => +c.toFixed(6)));
    read2d(variable(model, 'vq/codebook')).forEach((row, i) => row.forEach((value, j) => expect(value).toBeCloseTo(expected[i]![j]!, 5)));
    const after = read2d(variable(model, 'vq/codebook'));
    const dist = (a: number[], b: number[]): number => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!);
    expect(dist(after[0]!, RIGGED[0]!)).toBeLessThan(dist(HAND_CODEBOOK[0]!, RIGGED[0]!));
    expect(dist(after[1]!, RIGGED[1]!)).toBeLessThan(dist(HAND_CODEBOOK[1]!, RIGGED[1]!));
    x.dispose();
  });

  it('moves its state only in trainingStep: never in loss (training or not, under a gradient tape or not), evaluate or metrics', async () => {
    const model = tiny({ codebook: 'ema' });
    const x = batch(4);
    const snapshot = (): number[] => model.variables().filter((v) => !v.trainable).flatMap((v) => Array.from(v.variable.dataSync()));
    const start = snapshot();
    tf.tidy(() => model.loss(x, context(false)));
    tf.tidy(() => model.loss(x, context(true)));
    const trainable = model.variables().filter((v) => v.trainable).map((v) => v.variable);
    const { value, grads } = tf.variableGrads(() => model.loss(x, context(true)).total, trainable);
    tf.dispose([value, ...Object.values(grads)]);
    await evaluate(model, data, { k: 2 });
    await model.metrics(x);
    expect(snapshot()).toEqual(start);
    model.trainingStep(x, context(true));
    expect(snapshot()).not.toEqual(start);
    x.dispose();
  });

  it('keeps EMA statistics and idle counters through save and load', async () => {
    const model = tiny({ codebook: 'ema', deadCodeRestartSteps: 50 });
    const x = batch(6);
    for (let i = 0; i < 3; i++) lossValues(model, x, context(true, i));
    const restored = await deserializeModel(await serializeModel(model));
    try {
      expect(restored.getConfig()).toEqual(model.getConfig());
      for (const name of ['vq/codebook', 'vq/emaCounts', 'vq/emaSums', 'vq/idleSteps']) {
        const a = Array.from(variable(model, name).dataSync());
        const b = Array.from(restored.variables().find((v) => v.name === name)!.variable.dataSync());
        expect(b, name).toEqual(a);
      }
      expect(Array.from(variable(model, 'vq/emaCounts').dataSync())).not.toEqual([1, 1, 1, 1]);
      expect(Math.max(...variable(model, 'vq/idleSteps').dataSync())).toBeGreaterThan(0);
      // The next training step continues identically from the restored state.
      const a = lossValues(model, x, context(true, 9));
      const b = lossValues(restored as VqVae, x, context(true, 9));
      expect(b).toEqual(a);
    } finally {
      restored.dispose();
      x.dispose();
    }
  });
});

describe('dead-code restarts', () => {
  it('replaces a code unused for N training steps with an encoder output from the batch, seeded', () => {
    const run = (): { codebook: number[][]; idle: number[] } => {
      const model = tiny({ deadCodeRestartSteps: 2 });
      setCodebook(model, HAND_CODEBOOK);
      rigEncoder(model, RIGGED);
      const x = batch(3);
      lossValues(model, x, context(true, 1));
      // After one step codes 2 and 3 have been idle once: not yet restarted.
      expect(read2d(variable(model, 'vq/codebook'))).toEqual(HAND_CODEBOOK);
      expect(Array.from(variable(model, 'vq/idleSteps').dataSync())).toEqual([0, 0, 1, 1]);
      lossValues(model, x, context(true, 2));
      x.dispose();
      return { codebook: read2d(variable(model, 'vq/codebook')), idle: Array.from(variable(model, 'vq/idleSteps').dataSync()) };
    };
    const first = run();
    expect(first.idle).toEqual([0, 0, 0, 0]);
    expect(first.codebook.slice(0, 2)).toEqual(HAND_CODEBOOK.slice(0, 2));
    const isBatchVector = (code: number[]): boolean =>
      RIGGED.some((z) => Math.abs(z[0]! - code[0]!) < 1e-6 && Math.abs(z[1]! - code[1]!) < 1e-6);
    expect(isBatchVector(first.codebook[2]!)).toBe(true);
    expect(isBatchVector(first.codebook[3]!)).toBe(true);
    expect(run().codebook).toEqual(first.codebook);
  });

  it('resets a restarted code’s EMA statistics to one pseudo-count at its new value', () => {
    const model = tiny({ codebook: 'ema', deadCodeRestartSteps: 1 });
    setCodebook(model, HAND_CODEBOOK);
    rigEncoder(model, RIGGED);
    const x = batch(3);
    lossValues(model, x, context(true));
    const counts = Array.from(variable(model, 'vq/emaCounts').dataSync());
    expect(counts[3]).toBe(1);
    const sums = read2d(variable(model, 'vq/emaSums'));
    expect(read2d(variable(model, 'vq/codebook'))[3]).toEqual(sums[3]);
    x.dispose();
  });
});

describe('codebook perplexity', () => {
  it('is K for uniform usage and 1 for a single code', () => {
    expect(perplexityFromCounts([3, 3, 3, 3])).toBeCloseTo(4, 10);
    expect(perplexityFromCounts([0, 7, 0, 0])).toBeCloseTo(1, 10);
    expect(perplexityFromCounts([1, 1, 0, 0])).toBeCloseTo(2, 10);
  });

  it('model metrics: every code once per example gives perplexity K; all latents on one code give 1', async () => {
    const model = tiny({ numLatents: 4 });
    setCodebook(model, HAND_CODEBOOK);
    const x = batch(5);
    rigEncoder(model, HAND_CODEBOOK);
    const uniform = await model.metrics(x);
    expect(uniform.perplexity).toBeCloseTo(4, 5);
    expect(uniform.usedCodes).toBe(4);
    rigEncoder(model, [
      [0.9, 0.2],
      [1.1, 0],
      [1, 0.1],
      [0.8, -0.1],
    ]);
    const single = await model.metrics(x);
    expect(single.perplexity).toBeCloseTo(1, 6);
    expect(single.usedCodes).toBe(1);
    x.dispose();
  });
});
