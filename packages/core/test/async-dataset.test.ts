import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '@vaekit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeCheckpoint,
  evaluate,
  iterateBatches,
  prefetchBatches,
  prototypeDataset,
  train,
  trainingEpochPlan,
  type AsyncDataset,
  type EpochEvent,
  type TrainOptions,
} from '../src/index.js';
import { epochBatches, mixSeed } from '../src/internal.js';
import { asyncOf } from './helpers/async-data.js';
import { linearVae } from './helpers/linear-vae.js';
import { recordingStore, storeWith, weightsOf, withoutTime } from './helpers/resume-runs.js';

beforeAll(useCpu);

// 40 examples in batches of 16: each epoch ends on a short batch, so both batch shapes are read ahead.
const data = prototypeDataset([12], 40);
const validation = prototypeDataset([12], 24, 5);
const options = {
  epochs: 3,
  batchSize: 16,
  seed: 7,
  klSchedule: { type: 'linear', from: 0, to: 1, steps: 5 },
  validation,
} as const satisfies TrainOptions;

interface Outcome {
  readonly weights: number[][];
  readonly history: Omit<EpochEvent, 'elapsedMs'>[];
}

async function trained(source: AsyncDataset, extra: Partial<TrainOptions> = {}): Promise<Outcome> {
  const model = linearVae();
  try {
    const result = await train(model, source, { ...options, ...extra });
    return { weights: await weightsOf(model), history: result.history.map(withoutTime) };
  } finally {
    model.dispose();
  }
}

describe('training on an asynchronous data set', () => {
  it('ends with bit-identical weights and history to the synchronous run, whatever the read-ahead', async () => {
    const sync = await trained(data);
    expect(sync.weights).not.toStrictEqual(await weightsOf(linearVae()));
    for (const prefetch of [0, 1, 2, 5]) {
      const source = asyncOf(data);
      const run = await trained(source, { prefetch, validation: asyncOf(validation) });
      // toStrictEqual compares numbers with Object.is: the same float64 to the last bit.
      expect(run.weights, `prefetch ${prefetch}`).toStrictEqual(sync.weights);
      expect(run.history, `prefetch ${prefetch}`).toStrictEqual(sync.history);
      // The batch in use and up to `prefetch` after it, within an epoch of 3 batches.
      expect(source.log.maxInFlight, `prefetch ${prefetch}`).toBe(Math.min(prefetch + 1, 3));
    }
  });

  it('reads each epoch\'s batches in the order and with the seeds of trainingEpochPlan, one read per batch', async () => {
    const source = asyncOf(data);
    await trained(source, { validation: undefined });
    const planned = [0, 1, 2].flatMap((epoch) => {
      const plan = trainingEpochPlan(data.size, 16, 7, epoch);
      return Array.from({ length: plan.length }, (_, b) => plan.at(b)!);
    });
    expect(source.log.requests).toEqual(planned.map(({ indices, seed }) => ({ indices: [...indices], seed })));
  });

  it('follows the order and seeds epochBatches and mixSeed have always given, so older checkpoints resume exactly', () => {
    for (const [size, batchSize, seed, epoch] of [[40, 16, 7, 0], [1000, 64, 3, 5], [7, 10, 0, 2]] as const) {
      const plan = trainingEpochPlan(size, batchSize, seed, epoch);
      const batches = epochBatches(size, batchSize, seed, epoch);
      expect(Array.from({ length: plan.length }, (_, b) => plan.at(b))).toEqual(batches.map((indices, b) => ({ indices, seed: mixSeed(seed, epoch, b) })));
      expect(plan.at(plan.length)).toBeUndefined();
    }
  });

  it('resumed from any checkpoint, with the data now asynchronous, repeats the uninterrupted synchronous run exactly', async () => {
    const store = recordingStore();
    const whole = await trained(data, { checkpoint: store, checkpointEverySteps: 1 });
    expect(store.saved).toHaveLength(12);
    for (const [i, bytes] of store.saved.entries()) {
      const { state } = await decodeCheckpoint(bytes);
      const resumed = await trained(asyncOf(data), { checkpoint: storeWith(bytes), resume: true, validation: asyncOf(validation), prefetch: 3 });
      const at = `resumed from checkpoint ${i} (epoch ${state.epoch}, next batch ${state.nextBatch})`;
      expect(resumed.weights, at).toStrictEqual(whole.weights);
      expect(resumed.history, at).toStrictEqual(whole.history);
    }
  });

  it('stopped by its signal mid-epoch, leaves no batch read ahead behind', async () => {
    const model = linearVae();
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const source = asyncOf(data);
    const result = await train(model, source, {
      ...options,
      validation: undefined,
      prefetch: 2,
      signal: controller.signal,
      onStep: (e) => e.step === 4 && controller.abort(),
    });
    expect(result).toMatchObject({ status: 'aborted', steps: 4 });
    // Step 4 is the first of epoch 1; its next two batches were read ahead, and disposed unused.
    expect(source.log.requests).toHaveLength(3 + 3);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('a batch whose read rejects fails the run with its error at its turn, and leaves no tensor behind', async () => {
    const model = linearVae();
    const before = tf.memory().numTensors;
    const initial = await weightsOf(model);
    const error = new Error('disk unplugged');
    // The first epoch's second batch holds the failing example, so the third is in flight when it fails.
    const failing = trainingEpochPlan(data.size, 16, 7, 0).at(1)!.indices[0]!;
    const steps: number[] = [];
    await expect(
      train(model, asyncOf(data, { index: failing, error }), { ...options, prefetch: 2, onStep: (e) => steps.push(e.step) }),
    ).rejects.toBe(error);
    expect(steps).toEqual([1]);
    expect(await weightsOf(model)).not.toStrictEqual(initial);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('a step that throws (onStep here) leaves no batch read ahead behind', async () => {
    const model = linearVae();
    const before = tf.memory().numTensors;
    const thrown = new Error('listener failed');
    await expect(
      train(model, asyncOf(data), {
        ...options,
        prefetch: 3,
        onStep: () => {
          throw thrown;
        },
      }),
    ).rejects.toBe(thrown);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('evaluating an asynchronous data set', () => {
  it('gives exactly the synchronous figures, the IWAE bound and active units included, whatever the read-ahead', async () => {
    const model = linearVae();
    const before = tf.memory().numTensors;
    const settings = { batchSize: 16, k: 10, kChunk: 4, seed: 3 };
    const sync = await evaluate(model, data, settings);
    expect(sync.iwae?.k).toBe(10);
    for (const prefetch of [0, 2, 4]) {
      expect(await evaluate(model, asyncOf(data), { ...settings, prefetch }), `prefetch ${prefetch}`).toStrictEqual(sync);
    }
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('a rejected batch fails the evaluation and leaves no tensor behind', async () => {
    const model = linearVae();
    const before = tf.memory().numTensors;
    const error = new Error('network gone');
    await expect(evaluate(model, asyncOf(data, { index: 20, error }), { batchSize: 8 })).rejects.toBe(error);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('iterateBatches', () => {
  it('with shuffle yields the batches train reads in that epoch; without, the examples in order', async () => {
    const epoch = 2;
    const plan = trainingEpochPlan(data.size, 16, 7, epoch);
    const seen: { indices: readonly number[]; seed: number; values: number[] }[] = [];
    for await (const { x, indices, seed, index, count } of iterateBatches(asyncOf(data), { batchSize: 16, seed: 7, shuffle: true, epoch })) {
      expect([index, count]).toEqual([seen.length, 3]);
      seen.push({ indices, seed, values: Array.from(x.dataSync()) });
      x.dispose();
    }
    expect(seen.map(({ indices, seed }) => ({ indices, seed }))).toEqual([0, 1, 2].map((b) => plan.at(b)));
    expect(seen[1]!.values).toEqual(Array.from(tf.tidy(() => data.batch(plan.at(1)!.indices, plan.at(1)!.seed)).dataSync()));

    const ordered: number[] = [];
    for await (const { x, indices } of iterateBatches(data, { batchSize: 16 })) {
      ordered.push(...indices);
      x.dispose();
    }
    expect(ordered).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('leaving the loop early disposes the batches read ahead', async () => {
    const before = tf.memory().numTensors;
    const source = asyncOf(prototypeDataset([12], 200));
    for await (const { x, index } of iterateBatches(source, { batchSize: 10, prefetch: 3 })) {
      x.dispose();
      if (index === 4) break;
    }
    expect(source.log.requests).toHaveLength(5 + 3);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a nonsense batch size, epoch or read-ahead by name', async () => {
    const first = (options: Parameters<typeof iterateBatches>[1]) => iterateBatches(data, options).next();
    await expect(first({ batchSize: 0 })).rejects.toThrow(/batchSize must be a whole number >= 1, got 0/);
    await expect(first({ epoch: -1 })).rejects.toThrow(/epoch must be a whole number >= 0, got -1/);
    await expect(first({ prefetch: 1.5 })).rejects.toThrow(/prefetch depth must be a whole number >= 0, got 1.5/);
  });
});

describe('prefetchBatches', () => {
  it('keeps at most depth batches in flight beyond the one handed out, and close() disposes them once they arrive', async () => {
    const before = tf.memory().numTensors;
    const resolvers: (() => void)[] = [];
    const gated: AsyncDataset = {
      ...data,
      batch: (indices, seed) => new Promise((resolve) => resolvers.push(() => resolve(data.batch(indices, seed)))),
    };
    const plan = Array.from({ length: 6 }, (_, b) => ({ indices: [b], seed: b }));
    const reader = prefetchBatches(gated, plan, { depth: 2 });
    const first = reader.next();
    // The first batch and the two after it are asked for at once; nothing more until the first is taken.
    expect(resolvers).toHaveLength(3);
    resolvers[0]!();
    (await first)!.dispose();
    const second = reader.next();
    expect(resolvers).toHaveLength(4);
    resolvers[1]!();
    (await second)!.dispose();
    // Batches 2 and 3 are in flight, 4 not yet asked for: closing waits for 2 and 3 and disposes them.
    const closed = reader.close();
    resolvers[2]!();
    resolvers[3]!();
    await closed;
    expect(resolvers).toHaveLength(4);
    expect(tf.memory().numTensors).toBe(before);
    await expect(reader.next()).rejects.toThrow(/closed/);
  });

  it('hands out a synchronous data set\'s batches too, a throwing one at its own turn', async () => {
    const before = tf.memory().numTensors;
    const throwing: AsyncDataset = {
      ...data,
      batch: (indices, seed) => {
        if (indices.includes(3)) throw new RangeError('example 3 is unreadable');
        return data.batch(indices, seed);
      },
    };
    const reader = prefetchBatches(throwing, [0, 1, 2, 3, 4].map((i) => ({ indices: [i], seed: 0 })), { depth: 4 });
    for (let i = 0; i < 3; i++) (await reader.next())!.dispose();
    await expect(reader.next()).rejects.toThrow(/example 3 is unreadable/);
    await reader.close();
    expect(tf.memory().numTensors).toBe(before);
  });
});
