import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeCheckpoint,
  memoryCheckpointStore,
  prototypeDataset,
  train,
  type CheckpointStore,
  type EpochEvent,
  type TrainOptions,
  type TrainResult,
} from '../src/index.js';
import { valuesDataset } from '../src/internal.js';
import { linearVae } from './helpers/linear-vae.js';
import { recordingStore, storeWith, weightsOf, withoutTime } from './helpers/resume-runs.js';
import { useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);

// 32 examples in batches of 16: 2 steps an epoch. The held-out set is the training set with a fifth of
// its pixels flipped: it improves while the model learns the prototypes, then worsens as the model grows
// sure of the training pixels (falling to epoch 8, rising from epoch 9).
const data = prototypeDataset([12], 32);
const flipped = valuesDataset(data.values.map((v, k) => ((k * 7) % 10 < 2 ? 1 - v : v)), [12], true);
const options = {
  epochs: 12,
  batchSize: 16,
  seed: 4,
  validation: flipped,
  optimizer: { type: 'adam', learningRate: 0.05 },
  earlyStopping: { patience: 2 },
} as const satisfies TrainOptions;

interface Run {
  readonly result: TrainResult;
  readonly weights: number[][];
  readonly history: Omit<EpochEvent, 'elapsedMs'>[];
  /** The model's weights at each onBest call, by epoch. */
  readonly bests: Map<number, number[][]>;
}

async function run(extra: Partial<TrainOptions> = {}): Promise<Run> {
  const model = linearVae();
  const bests = new Map<number, number[][]>();
  try {
    const result = await train(model, data, {
      ...options,
      onBest: async (event, trained) => void bests.set(event.epoch, await weightsOf(trained)),
      ...extra,
    });
    return { result, weights: await weightsOf(model), history: result.history.map(withoutTime), bests };
  } finally {
    model.dispose();
  }
}

describe('early stopping', () => {
  it('stops `patience` epochs after the best held-out loss, on a fixture whose held-out loss rises', async () => {
    const { result, bests } = await run();
    const losses = result.history.map((e) => e.validation!.total!);
    const bestEpoch = losses.indexOf(Math.min(...losses)) + 1;
    // The fixture does what it is for: the loss falls to a best, then rises for the whole patience.
    expect(bestEpoch).toBeGreaterThan(1);
    expect(bestEpoch).toBeLessThan(options.epochs - options.earlyStopping.patience);
    expect(losses.slice(bestEpoch).every((loss) => loss > losses[bestEpoch - 1]!)).toBe(true);

    expect(result.status).toBe('stopped-early');
    expect(result.history).toHaveLength(bestEpoch + options.earlyStopping.patience);
    expect(result.epochsCompleted).toBe(bestEpoch + options.earlyStopping.patience);
    expect(result.best).toEqual({ epoch: bestEpoch, value: losses[bestEpoch - 1], restored: false });
    // onBest heard every new best, the last at the best epoch.
    expect([...bests.keys()].at(-1)).toBe(bestEpoch);
  });

  it('minDelta: an improvement smaller than it does not count', async () => {
    const { result } = await run({ earlyStopping: { patience: 1, minDelta: 1e9, monitor: 'train.total' } });
    expect(result.status).toBe('stopped-early');
    expect(result.history).toHaveLength(2);
    expect(result.best?.epoch).toBe(1);
  });

  it('restoreBest puts back exactly the weights the model had at the best epoch', async () => {
    const restored = await run({ earlyStopping: { patience: 2, restoreBest: true } });
    const kept = await run();
    const best = restored.result.best!;
    expect(best.restored).toBe(true);
    expect(restored.weights).toStrictEqual(restored.bests.get(best.epoch));
    // Without restoreBest the model ends with the last epoch's weights, which are not the best.
    expect(kept.weights).not.toStrictEqual(kept.bests.get(best.epoch));
    expect(kept.history).toStrictEqual(restored.history);
  });

  it('survives a stop after any checkpoint: the resumed run stops at the same epoch with the same best weights, bit for bit', async () => {
    const store = recordingStore();
    const whole = await run({ checkpoint: store, checkpointEverySteps: 1, earlyStopping: { patience: 2, restoreBest: true } });
    const last = await decodeCheckpoint(store.saved.at(-1)!);
    expect(last.state.earlyStopping).toMatchObject({ stopped: true, bestEpoch: whole.result.best!.epoch });
    expect(last.bestModel).not.toBeNull();
    expect(last.state.run.earlyStopping).toEqual({ monitor: 'validation.total', patience: 2, minDelta: 0 });
    for (const [i, bytes] of store.saved.entries()) {
      const { state } = await decodeCheckpoint(bytes);
      const where = `resumed from checkpoint ${i} (step ${state.step})`;
      const resumed = await run({ checkpoint: storeWith(bytes), resume: true, earlyStopping: { patience: 2, restoreBest: true } });
      expect(resumed.result.status, where).toBe('stopped-early');
      expect(resumed.result.best, where).toEqual(whole.result.best);
      expect(resumed.history, where).toStrictEqual(whole.history);
      expect(resumed.weights, where).toStrictEqual(whole.weights);
    }
  });

  it('a resume of a run that already stopped early trains nothing, and can still restore the best weights', async () => {
    const store = memoryCheckpointStore();
    const first = await run({ checkpoint: store });
    const bytes = (await store.load())!;
    let steps = 0;
    const again = await run({ checkpoint: storeWith(bytes), resume: true, onStep: () => void (steps += 1), earlyStopping: { patience: 2, restoreBest: true } });
    expect(steps).toBe(0);
    expect(again.result.status).toBe('stopped-early');
    expect(again.result.steps).toBe(first.result.steps);
    expect(again.weights).toStrictEqual(first.bests.get(first.result.best!.epoch));
  });

  it('refuses bad settings, and a monitor that needs validation without it', async () => {
    const model = linearVae();
    try {
      const attempt = (extra: Partial<TrainOptions>) => train(model, data, { epochs: 1, ...extra });
      await expect(attempt({ earlyStopping: { patience: 0 } })).rejects.toThrow(/earlyStopping\.patience must be a whole number of epochs >= 1, got 0/);
      await expect(attempt({ validation: flipped, earlyStopping: { patience: 1, minDelta: -1 } })).rejects.toThrow(
        /earlyStopping\.minDelta must be a finite number >= 0, got -1/,
      );
      await expect(attempt({ earlyStopping: { patience: 1 } })).rejects.toThrow(
        /earlyStopping\.monitor is 'validation\.total', which needs a validation set/,
      );
      await expect(attempt({ validation: flipped, earlyStopping: { patience: 1, monitor: 'validation.elbo' } })).rejects.toThrow(
        /earlyStopping\.monitor is 'validation\.elbo', but epoch events have no such figure; validation terms are total, reconstruction, kl/,
      );
    } finally {
      model.dispose();
    }
  });
});

describe('resuming with a changed learning rate', () => {
  const base = { ...options, epochs: 3, earlyStopping: undefined } satisfies TrainOptions;

  async function stoppedAfter(steps: number, store: CheckpointStore): Promise<void> {
    const controller = new AbortController();
    const model = linearVae();
    try {
      await train(model, data, { ...base, checkpoint: store, signal: controller.signal, onStep: (e) => e.step === steps && controller.abort() });
    } finally {
      model.dispose();
    }
  }

  it('is refused unless asked for; when asked, takes effect at the resumed step and is recorded', async () => {
    const store = memoryCheckpointStore();
    await stoppedAfter(3, store);
    const bytes = (await store.load())!;
    const changed = { ...base, optimizer: { type: 'adam', learningRate: 0.01 } } as const;
    await expect(run({ ...changed, checkpoint: storeWith(bytes), resume: true })).rejects.toThrow(
      /optimizer .* \(now .*; allowResumeChanges: \['learningRate'\] lets a resume change it\)/,
    );

    const resumes: unknown[] = [];
    const rates: number[] = [];
    const resumedStore = storeWith(bytes);
    const resumed = await run({
      ...changed,
      checkpoint: resumedStore,
      resume: true,
      allowResumeChanges: ['learningRate'],
      onResume: (e) => resumes.push(e.changes),
      onStep: (e) => rates.push(e.learningRate),
    });
    expect(resumed.result.status).toBe('completed');
    expect(resumes).toEqual([[{ step: 3, setting: 'learningRate', from: 0.05, to: 0.01 }]]);
    expect(new Set(rates)).toEqual(new Set([0.01]));
    const { state } = await decodeCheckpoint((await resumedStore.load())!);
    expect(state.optimizer).toEqual({ type: 'adam', learningRate: 0.01 });
    expect(state.changes).toEqual([{ step: 3, setting: 'learningRate', from: 0.05, to: 0.01 }]);
  });

  it('still refuses the optimizer\'s other fields, and a schedule change unless that is allowed too', async () => {
    const store = memoryCheckpointStore();
    await stoppedAfter(3, store);
    const bytes = (await store.load())!;
    const allow = { checkpoint: storeWith(bytes), resume: true, allowResumeChanges: ['learningRate'] } as const;
    await expect(run({ ...base, ...allow, optimizer: { type: 'adam', learningRate: 0.01, beta1: 0.5 } })).rejects.toThrow(
      /optimizer \{"type":"adam"\} \(now \{"beta1":0\.5,"type":"adam"\}\)/,
    );
    await expect(run({ ...base, ...allow, learningRateSchedule: { type: 'exponential', decayRate: 0.5, decaySteps: 2 } })).rejects.toThrow(
      /learningRateSchedule \{"type":"constant"\}/,
    );
    const rates: number[] = [];
    const changed = await run({
      ...base,
      checkpoint: storeWith(bytes),
      resume: true,
      allowResumeChanges: ['learningRateSchedule'],
      learningRateSchedule: { type: 'exponential', decayRate: 0.5, decaySteps: 2 },
      onStep: (e) => rates.push(e.learningRate),
    });
    expect(changed.result.status).toBe('completed');
    // The schedule is a function of the global step: it takes over at step 3 as if it had run from the start.
    expect(rates[0]).toBeCloseTo(0.05 * 0.5 ** 1.5, 15);
  });
});

describe('gradient-norm clipping', () => {
  it('scales an update whose gradient norm exceeds the cap down to the cap; a cap never reached changes nothing', async () => {
    const one = prototypeDataset([12], 16);
    const step = async (clipGradientNorm?: number) => {
      const model = linearVae();
      const before = await weightsOf(model);
      const norms: number[] = [];
      try {
        await train(model, one, {
          epochs: 1,
          batchSize: 16,
          optimizer: { type: 'sgd', learningRate: 1 },
          onStep: (e) => norms.push(e.gradientNorm),
          ...(clipGradientNorm === undefined ? {} : { clipGradientNorm }),
        });
        const after = await weightsOf(model);
        const update = Math.sqrt(after.flat().reduce((sum, value, i) => sum + (value - before.flat()[i]!) ** 2, 0));
        return { update, gradientNorm: norms[0]!, weights: after };
      } finally {
        model.dispose();
      }
    };
    const free = await step();
    const cap = free.gradientNorm / 4;
    const clipped = await step(cap);
    // StepEvent.gradientNorm is the norm before clipping; with SGD at rate 1 the update is the applied gradient.
    expect(clipped.gradientNorm).toBe(free.gradientNorm);
    expect(clipped.update).toBeLessThanOrEqual(cap * (1 + 1e-5));
    expect(clipped.update).toBeGreaterThan(cap * (1 - 1e-3));
    expect((await step(free.gradientNorm * 2)).weights).toStrictEqual(free.weights);
  });

  it('is recorded in the checkpoint, and refuses a bad cap', async () => {
    const store = memoryCheckpointStore();
    const model = linearVae();
    try {
      await train(model, data, { epochs: 1, batchSize: 16, clipGradientNorm: 2.5, checkpoint: store });
      expect((await decodeCheckpoint((await store.load())!)).state.run.clipGradientNorm).toBe(2.5);
      await expect(train(model, data, { epochs: 1, clipGradientNorm: 0 })).rejects.toThrow(/clipGradientNorm must be a positive finite number, got 0/);
    } finally {
      model.dispose();
    }
  });
});

describe('the training controls together', () => {
  it('leak no tensors across a run with a schedule, clipping, early stopping with restoreBest, a stop and a resume', async () => {
    const store = memoryCheckpointStore();
    const controls = {
      learningRateSchedule: { type: 'plateau', factor: 0.5, patience: 1 },
      clipGradientNorm: 0.5,
      earlyStopping: { patience: 2, restoreBest: true },
      checkpoint: store,
    } as const satisfies Partial<TrainOptions>;
    await run(controls);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    await run({ ...controls, signal: controller.signal, onStep: (e) => e.step === 5 && controller.abort() });
    await run({ ...controls, resume: true });
    expect(tf.memory().numTensors).toBe(before);
  });
});
