import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeCheckpoint,
  prototypeDataset,
  resolveLearningRateSchedule,
  scheduledLearningRate,
  train,
  type CheckpointStore,
  type EpochEvent,
  type LearningRateSchedule,
  type TrainOptions,
} from '../src/index.js';
import { linearVae } from './helpers/linear-vae.js';
import { recordingStore, storeWith, weightsOf, withoutTime } from './helpers/resume-runs.js';
import { useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);

const at = (step: number, epoch = 0) => ({ step, epoch });
const resolve = (schedule: LearningRateSchedule, totalSteps = 100) =>
  resolveLearningRateSchedule(schedule, { totalSteps, hasValidation: true });

describe('learning-rate schedules', () => {
  it('constant, step, exponential and cosine with warm-up give the documented rates', () => {
    expect(scheduledLearningRate(resolve({ type: 'constant' }), 0.01, at(57), null)).toBe(0.01);

    const byStep = resolve({ type: 'step', every: 10, factor: 0.5 });
    expect([0, 9, 10, 25].map((s) => scheduledLearningRate(byStep, 0.1, at(s), null))).toEqual([0.1, 0.1, 0.05, 0.025]);
    const byEpoch = resolve({ type: 'step', every: 2, factor: 0.1, unit: 'epoch' });
    expect([0, 1, 2, 4].map((e) => scheduledLearningRate(byEpoch, 1, at(999, e), null))).toEqual([1, 1, 0.1, 0.1 ** 2]);

    const exponential = resolve({ type: 'exponential', decayRate: 0.5, decaySteps: 4 });
    expect(scheduledLearningRate(exponential, 1, at(8), null)).toBe(0.25);
    expect(scheduledLearningRate(exponential, 1, at(2), null)).toBeCloseTo(Math.SQRT1_2, 15);

    const cosine = resolve({ type: 'cosine', warmupSteps: 4, decaySteps: 10, minLearningRate: 0.1 });
    expect([0, 1, 3].map((s) => scheduledLearningRate(cosine, 1, at(s), null))).toEqual([0.25, 0.5, 1]);
    expect(scheduledLearningRate(cosine, 1, at(4), null)).toBe(1);
    expect(scheduledLearningRate(cosine, 1, at(9), null)).toBeCloseTo(0.55, 12);
    expect(scheduledLearningRate(cosine, 1, at(14), null)).toBe(0.1);
    expect(scheduledLearningRate(cosine, 1, at(500), null)).toBe(0.1);
  });

  it('a cosine schedule without decaySteps decays over the rest of the run, and keeps a resumed run\'s length', () => {
    expect(resolve({ type: 'cosine', warmupSteps: 10 }, 90)).toEqual({ type: 'cosine', warmupSteps: 10, decaySteps: 80, minLearningRate: 0 });
    const saved = resolve({ type: 'cosine', warmupSteps: 10 }, 90);
    const extended = resolveLearningRateSchedule({ type: 'cosine', warmupSteps: 10 }, { totalSteps: 300, hasValidation: false, saved });
    expect(extended).toEqual(saved);
  });

  it('refuses bad schedules, naming the field, the value and what is allowed', () => {
    const bad: [unknown, RegExp][] = [
      [{ type: 'linear' }, /learningRateSchedule\.type must be one of constant, step, exponential, cosine, plateau, got "linear"/],
      [{ type: 'step', every: 0, factor: 0.5 }, /learningRateSchedule\.every must be a whole number >= 1, got 0/],
      [{ type: 'step', every: 2, factor: -1 }, /learningRateSchedule\.factor must be a positive finite number, got -1/],
      [{ type: 'step', every: 2, factor: 0.5, unit: 'batch' }, /learningRateSchedule\.unit must be 'step' or 'epoch', got "batch"/],
      [{ type: 'exponential', decayRate: 0.9 }, /learningRateSchedule\.decaySteps must be a positive finite number, got undefined/],
      [{ type: 'cosine', warmupSteps: 1.5 }, /learningRateSchedule\.warmupSteps must be a whole number >= 0, got 1\.5/],
      [{ type: 'cosine', minLearningRate: -1 }, /learningRateSchedule\.minLearningRate must be a finite number >= 0, got -1/],
      [{ type: 'cosine', steps: 4 }, /learningRateSchedule of type 'cosine' has no field 'steps'; its fields are type, warmupSteps, decaySteps, minLearningRate/],
      [{ type: 'plateau', factor: 1, patience: 2 }, /learningRateSchedule\.factor must be a number in \(0, 1\), got 1/],
      [{ type: 'plateau', factor: 0.5, patience: 2, monitor: 'loss' }, /learningRateSchedule\.monitor must name an epoch figure as 'validation.<term>' or 'train.<term>'/],
    ];
    for (const [schedule, message] of bad) expect(() => resolve(schedule as LearningRateSchedule)).toThrow(message);
    expect(() =>
      resolveLearningRateSchedule({ type: 'plateau', factor: 0.5, patience: 1 }, { totalSteps: 10, hasValidation: false }),
    ).toThrow(/learningRateSchedule\.monitor is 'validation\.total', which needs a validation set/);
  });
});

// 48 examples in batches of 16: 3 steps an epoch.
const data = prototypeDataset([12], 48);
const validation = prototypeDataset([12], 24, 5);

describe('training with a learning-rate schedule', () => {
  it('the scheduled rate is the one the optimizer applies (SGD and Adam, op by op)', async () => {
    // Cosine warm-up over 2 steps from 0.1 gives 0.05 at the first step: the same update as a constant 0.05.
    for (const type of ['sgd', 'adam'] as const) {
      const runOne = async (options: Partial<TrainOptions>) => {
        const model = linearVae();
        try {
          await train(model, prototypeDataset([12], 16), { epochs: 1, batchSize: 16, seed: 2, ...options });
          return await weightsOf(model);
        } finally {
          model.dispose();
        }
      };
      const constant = await runOne({ optimizer: { type, learningRate: 0.05 } });
      const warmed = await runOne({ optimizer: { type, learningRate: 0.1 }, learningRateSchedule: { type: 'cosine', warmupSteps: 2 } });
      const full = await runOne({ optimizer: { type, learningRate: 0.1 } });
      expect(warmed, type).toStrictEqual(constant);
      expect(warmed, type).not.toStrictEqual(full);
    }
  });

  it('StepEvent reports each step\'s rate; reduce-on-plateau lowers it after `patience` epochs without improvement', async () => {
    const model = linearVae();
    const rates: number[][] = [];
    try {
      await train(model, data, {
        epochs: 4,
        batchSize: 16,
        validation,
        optimizer: { type: 'adam', learningRate: 0.01 },
        // No epoch can beat the first by 1e9 nats: every later one counts against the patience of 1.
        learningRateSchedule: { type: 'plateau', factor: 0.5, patience: 1, minDelta: 1e9, minLearningRate: 0.003 },
        onStep: (e) => {
          (rates[e.epoch - 1] ??= []).push(e.learningRate);
        },
      });
    } finally {
      model.dispose();
    }
    expect(rates).toEqual([
      [0.01, 0.01, 0.01],
      [0.01, 0.01, 0.01],
      [0.005, 0.005, 0.005],
      [0.003, 0.003, 0.003],
    ]);
  });

  interface Run {
    readonly weights: number[][];
    readonly history: Omit<EpochEvent, 'elapsedMs'>[];
    readonly rates: number[];
  }

  async function scheduledRun(store: CheckpointStore, schedule: LearningRateSchedule, extra: Partial<TrainOptions> = {}): Promise<Run> {
    const model = linearVae();
    const rates: number[] = [];
    try {
      const result = await train(model, data, {
        epochs: 3,
        batchSize: 16,
        seed: 11,
        validation,
        optimizer: { type: 'adam', learningRate: 0.02 },
        learningRateSchedule: schedule,
        checkpoint: store,
        checkpointEverySteps: 1,
        onStep: (e) => rates.push(e.learningRate),
        ...extra,
      });
      return { weights: await weightsOf(model), history: result.history.map(withoutTime), rates };
    } finally {
      model.dispose();
    }
  }

  const schedules: [string, LearningRateSchedule][] = [
    ['cosine with warm-up', { type: 'cosine', warmupSteps: 3, minLearningRate: 0.001 }],
    ['reduce-on-plateau', { type: 'plateau', factor: 0.5, patience: 1, minDelta: 1e9 }],
  ];
  for (const [name, schedule] of schedules) {
    it(`${name}: a run stopped after any checkpoint and resumed ends bit for bit as the uninterrupted one`, async () => {
      const store = recordingStore();
      const whole = await scheduledRun(store, schedule);
      expect(new Set(whole.rates).size).toBeGreaterThan(1);
      expect(store.saved).toHaveLength(12);
      for (const [i, bytes] of store.saved.entries()) {
        const { state } = await decodeCheckpoint(bytes);
        const resumed = await scheduledRun(storeWith(bytes), schedule, { resume: true });
        const where = `resumed from checkpoint ${i} (step ${state.step})`;
        expect(resumed.weights, where).toStrictEqual(whole.weights);
        expect(resumed.history, where).toStrictEqual(whole.history);
        expect(resumed.rates, where).toStrictEqual(whole.rates.slice(state.step));
      }
    });
  }

  it('records the resolved schedule in the checkpoint, and a resume with another schedule is refused unless allowed', async () => {
    const store = recordingStore();
    const schedule: LearningRateSchedule = { type: 'cosine', warmupSteps: 3 };
    await scheduledRun(store, schedule);
    const { state } = await decodeCheckpoint(store.saved.at(-1)!);
    expect(state.run.learningRateSchedule).toEqual({ type: 'cosine', warmupSteps: 3, decaySteps: 6, minLearningRate: 0 });
    await expect(scheduledRun(storeWith(store.saved.at(-1)!), { type: 'constant' }, { resume: true })).rejects.toThrow(
      /learningRateSchedule \{"decaySteps":6,"minLearningRate":0,"type":"cosine","warmupSteps":3\} \(now \{"type":"constant"\}; allowResumeChanges: \['learningRateSchedule'\] lets a resume change it\)/,
    );
  });
});
