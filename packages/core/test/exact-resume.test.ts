import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeCheckpoint,
  memoryCheckpointStore,
  prototypeDataset,
  train,
  type CheckpointStore,
  type Dataset,
  type EpochEvent,
  type TrainOptions,
} from '../src/index.js';
import { linearVae } from './helpers/linear-vae.js';
import { recordingStore, storeWith, weightsOf, withoutTime } from './helpers/resume-runs.js';
import { useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);

// 40 examples in batches of 16: every epoch ends on a short batch of 8, so both batch shapes are resumed.
const data = prototypeDataset([12], 40);
const validation = prototypeDataset([12], 24, 5);
const options = {
  epochs: 3,
  batchSize: 16,
  seed: 7,
  klSchedule: { type: 'linear', from: 0, to: 1, steps: 5 },
  freeBits: 0.05,
  validation,
} as const satisfies Omit<TrainOptions, 'checkpoint'>;

interface Run {
  readonly weights: number[][];
  readonly history: Omit<EpochEvent, 'elapsedMs'>[];
  /** Per onEpochEnd call: the epoch, and the history it was given, without times. */
  readonly epochEnds: { epoch: number; history: Omit<EpochEvent, 'elapsedMs'>[] }[];
}

async function run(store: CheckpointStore, extra: Partial<TrainOptions> = {}): Promise<Run> {
  const model = linearVae();
  const epochEnds: Run['epochEnds'] = [];
  try {
    const result = await train(model, data, {
      ...options,
      checkpoint: store,
      checkpointEverySteps: 1,
      onEpochEnd: (event, _model, history) => {
        epochEnds.push({ epoch: event.epoch, history: (history ?? []).map(withoutTime) });
      },
      ...extra,
    });
    return { weights: await weightsOf(model), history: result.history.map(withoutTime), epochEnds };
  } finally {
    model.dispose();
  }
}

describe('exact resume (cpu, op by op)', () => {
  it('resumed from the checkpoint written after every step, ends with the weights and full history of the uninterrupted run, bit for bit', async () => {
    const store = recordingStore();
    const whole = await run(store);
    // 9 steps, one checkpoint after each, and one more at each epoch's end.
    expect(store.saved).toHaveLength(12);
    expect(whole.history).toHaveLength(3);
    for (const event of whole.history) expect(Object.keys(event.train)).toEqual(['total', 'reconstruction', 'kl']);

    for (const [i, bytes] of store.saved.entries()) {
      const { state } = await decodeCheckpoint(bytes);
      const resumed = await run(storeWith(bytes), { resume: true });
      const at = `resumed from checkpoint ${i} (step ${state.step}, epoch ${state.epoch}, next batch ${state.nextBatch})`;
      // toStrictEqual compares numbers with Object.is: the same float64 to the last bit.
      expect(resumed.history, at).toStrictEqual(whole.history);
      expect(resumed.weights, at).toStrictEqual(whole.weights);
      // onEpochEnd is heard once for every epoch the checkpoint had not finished, with the history so far.
      expect(resumed.epochEnds, at).toStrictEqual(whole.epochEnds.filter((e) => e.epoch > state.history.length));
    }
  });

  it('reports an epoch\'s train means when the checkpoint fell on its last batch', async () => {
    const store = recordingStore();
    const whole = await run(store);
    // Checkpoint 2 is the one written after step 3, the first epoch's last batch, before the epoch ended.
    const { state } = await decodeCheckpoint(store.saved[2]!);
    expect([state.epoch, state.nextBatch, state.history.length]).toEqual([0, 3, 0]);
    const resumed = await run(storeWith(store.saved[2]!), { resume: true });
    expect(resumed.history[0]!.train).toStrictEqual(whole.history[0]!.train);
    expect(Object.keys(resumed.history[0]!.train)).toEqual(['total', 'reconstruction', 'kl']);
  });

  it('at an epoch\'s end validates, then saves the checkpoint, then calls onEpochEnd with the epoch already in the saved history', async () => {
    const log: string[] = [];
    const watched: Dataset = {
      ...validation,
      batch: (indices, seed) => {
        if (log.at(-1) !== 'validation') log.push('validation');
        return validation.batch(indices, seed);
      },
    };
    const inner = memoryCheckpointStore();
    const store: CheckpointStore = {
      location: inner.location,
      save: async (bytes) => {
        log.push('checkpoint');
        await inner.save(bytes);
      },
      load: () => inner.load(),
    };
    const savedHistories: number[] = [];
    const model = linearVae();
    try {
      await train(model, data, {
        ...options,
        validation: watched,
        checkpoint: store,
        onStep: () => {
          if (log.at(-1) !== 'step') log.push('step');
        },
        onEpochEnd: async (event, _model, history) => {
          log.push('onEpochEnd');
          const saved = await decodeCheckpoint((await inner.load())!);
          // What a consumer rebuilding its per-epoch log relies on: the checkpoint already holds this epoch.
          expect(saved.state.history.map(withoutTime)).toStrictEqual(history?.map(withoutTime));
          expect(saved.state.history.at(-1)?.epoch).toBe(event.epoch);
          savedHistories.push(saved.state.history.length);
        },
      });
    } finally {
      model.dispose();
    }
    const training = log.slice(log.indexOf('step'));
    expect(training).toEqual(Array.from({ length: 3 }, () => ['step', 'validation', 'checkpoint', 'onEpochEnd']).flat());
    expect(savedHistories).toEqual([1, 2, 3]);
  });

  it('keeps the wall-clock time out of everything else: two runs from scratch give the same history but for elapsedMs', async () => {
    const a = await run(memoryCheckpointStore());
    const b = await run(memoryCheckpointStore());
    expect(a.history).toStrictEqual(b.history);
    expect(a.weights).toStrictEqual(b.weights);
  });

  it('leaks no tensors across checkpointing every step, a resume, and its checks', async () => {
    const store = recordingStore();
    await run(store);
    const before = tf.memory().numTensors;
    await run(storeWith(store.saved[4]!), { resume: true });
    expect(tf.memory().numTensors).toBe(before);
  });
});
