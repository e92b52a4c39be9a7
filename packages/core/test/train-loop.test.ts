import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '@vaekit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { CorruptFileError, memoryCheckpointStore, NonFiniteLossError, prototypeDataset, train, type Dataset } from '../src/index.js';
import { linearVae } from './helpers/linear-vae.js';
import { weightsOf } from './helpers/resume-runs.js';

// The training loop's contract on core's own test model (a linear VAE over 12 inputs, 3 latents): it
// needs no variant, so these run with core alone.
beforeAll(useCpu);

describe('the training loop', () => {
  const data = prototypeDataset([12], 48);

  it('resumed from a mid-run checkpoint, ends with exactly the weights of an uninterrupted run', async () => {
    const straight = linearVae();
    const initial = await weightsOf(straight);
    await train(straight, data, { epochs: 3, batchSize: 16, seed: 1 });
    // Every instance starts from the same weights: equal final weights mean something only if training moved them.
    expect(await weightsOf(straight)).not.toEqual(initial);

    const store = memoryCheckpointStore();
    const controller = new AbortController();
    const first = linearVae();
    const partial = await train(first, data, {
      epochs: 3,
      batchSize: 16,
      seed: 1,
      checkpoint: store,
      signal: controller.signal,
      // Stop in the middle of the second epoch (3 batches per epoch).
      onStep: (e) => e.step === 4 && controller.abort(),
    });
    expect(partial.status).toBe('aborted');
    expect(partial.steps).toBe(4);
    first.dispose();

    const resumed = linearVae();
    const result = await train(resumed, data, { epochs: 3, batchSize: 16, seed: 1, checkpoint: store, resume: true });
    expect(result.status).toBe('completed');
    expect(result.resumedFromStep).toBe(4);
    expect(result.steps).toBe(9);
    expect(result.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(await weightsOf(resumed)).toEqual(await weightsOf(straight));
    straight.dispose();
    resumed.dispose();
  });

  it('refuses to resume with different settings, or from a corrupt checkpoint', async () => {
    const store = memoryCheckpointStore();
    const model = linearVae();
    await train(model, data, { epochs: 1, batchSize: 16, seed: 1, checkpoint: store });
    await expect(train(model, data, { epochs: 2, batchSize: 8, seed: 1, checkpoint: store, resume: true })).rejects.toThrow(
      /batchSize 16 \(now 8\)/,
    );
    const bytes = (await store.load())!;
    bytes[bytes.length - 10]! ^= 0xff;
    await store.save(bytes);
    await expect(train(model, data, { epochs: 2, batchSize: 16, seed: 1, checkpoint: store, resume: true })).rejects.toBeInstanceOf(
      CorruptFileError,
    );
    model.dispose();
  });

  it('reports progress with loss terms and an ETA, and epoch means', async () => {
    const model = linearVae();
    const steps: number[] = [];
    const epochsAndBatches: [number, number][] = [];
    const etas: number[] = [];
    const result = await train(model, data, {
      epochs: 2,
      batchSize: 16,
      validation: data,
      onStep: (e) => {
        steps.push(e.step);
        epochsAndBatches.push([e.epoch, e.batch]);
        etas.push(e.etaMs);
        expect(Object.keys(e.terms)).toEqual(['total', 'reconstruction', 'kl']);
        expect(e.totalSteps).toBe(6);
      },
    });
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
    expect(epochsAndBatches).toEqual([[1, 1], [1, 2], [1, 3], [2, 1], [2, 2], [2, 3]]);
    expect(etas.at(-1)).toBe(0);
    expect(result.history).toHaveLength(2);
    expect(result.history.map((h) => h.epoch)).toEqual([1, 2]);
    const validation = result.history[1]!.validation!;
    expect(Object.keys(validation)).toEqual(Object.keys(result.history[1]!.train));
    expect(validation.total).toBeGreaterThan(0);
    expect(validation.total).toBeCloseTo(validation.reconstruction! + validation.kl!, 4);
    model.dispose();
  });

  it('never applies a non-finite update: it throws, or skips the batch when asked', async () => {
    const poisoned: Dataset = {
      ...data,
      batch: (indices, seed) =>
        tf.tidy(() => {
          const x = data.batch(indices, seed);
          return tf.mul(x, tf.scalar(Number.NaN));
        }),
    };
    const model = linearVae();
    const before = await weightsOf(model);
    await expect(train(model, poisoned, { epochs: 1, batchSize: 16 })).rejects.toBeInstanceOf(NonFiniteLossError);
    expect(await weightsOf(model)).toEqual(before);
    await expect(train(model, poisoned, { epochs: 1, batchSize: 16, onNonFinite: 'skip', maxSkippedSteps: 2 })).rejects.toThrow(
      /non-finite loss/,
    );
    expect(await weightsOf(model)).toEqual(before);
    model.dispose();
  });

  it('rejects data of the wrong shape and nonsense settings before doing anything', async () => {
    const model = linearVae();
    await expect(train(model, prototypeDataset([10]), { epochs: 1 })).rejects.toThrow(/shape \[10\].*expects \[12\]/);
    await expect(train(model, data, { epochs: 0 })).rejects.toThrow(/epochs/);
    await expect(train(model, data, { epochs: 1, batchSize: 2.5 })).rejects.toThrow(/batchSize/);
    await expect(train(model, data, { epochs: 1, resume: true })).rejects.toThrow(/checkpoint store/);
    model.dispose();
  });
});
