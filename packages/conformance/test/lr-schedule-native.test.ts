import { decodeCheckpoint, train, type CheckpointStore, type CompileEvent, type TrainOptions } from '@vaekit/core';
import { createVae } from '@vaekit/variants';
import { beforeAll, describe, expect, it } from 'vitest';
import { binaryData, useNativeWithCompiledSteps } from './helpers/native-compiled.js';

beforeAll(useNativeWithCompiledSteps);

function store(initial?: Uint8Array): CheckpointStore & { readonly saved: Uint8Array[] } {
  const saved: Uint8Array[] = initial ? [initial.slice()] : [];
  return {
    location: 'test store',
    saved,
    save: async (bytes) => void saved.push(bytes.slice()),
    load: async () => saved.at(-1)?.slice() ?? null,
  };
}

// 48 examples in batches of 16: 3 steps an epoch, one compiled function.
const data = binaryData(48, 12, 4242);
const smallVae = () => createVae({ inputShape: [12], latentDim: 3, architecture: { type: 'mlp', hiddenUnits: [10] } });

async function run(options: Partial<TrainOptions>) {
  const model = smallVae();
  const events: CompileEvent[] = [];
  const rates: number[] = [];
  try {
    await train(model, data, {
      epochs: 3,
      batchSize: 16,
      seed: 5,
      optimizer: { type: 'adam', learningRate: 0.05 },
      learningRateSchedule: { type: 'cosine', warmupSteps: 3, minLearningRate: 1e-4 },
      onCompile: (e) => events.push(e),
      onStep: (e) => rates.push(e.learningRate),
      ...options,
    });
    const weights = await Promise.all(model.variables().map(async (v) => Array.from(await v.variable.data())));
    return { weights, events, rates };
  } finally {
    model.dispose();
  }
}

function relativeDistance(a: number[][], b: number[][]): number {
  let difference = 0;
  let size = 0;
  a.forEach((values, i) => values.forEach((value, j) => {
    difference += (value - b[i]![j]!) ** 2;
    size += value ** 2;
  }));
  return Math.sqrt(difference / size);
}

describe('learning-rate schedules in compiled steps (native)', () => {
  it('the compiled step takes each step\'s scheduled rate as an input: it traces once and follows the eager run', async () => {
    const compiled = await run({ compile: 'auto' });
    expect(compiled.events.map((e) => e.status)).toEqual(['compiled']);
    expect(new Set(compiled.rates).size).toBe(9);
    const eager = await run({ compile: false });
    const constant = await run({ compile: 'auto', learningRateSchedule: { type: 'constant' } });
    // Compiled and eager steps round differently, but by far less than another rate moves the weights.
    const drift = relativeDistance(compiled.weights, eager.weights);
    expect(drift).toBeLessThan(1e-3);
    expect(relativeDistance(compiled.weights, constant.weights)).toBeGreaterThan(100 * drift);
  });

  it('a compiled cosine run resumed from any checkpoint ends with the uninterrupted run\'s weights, bit for bit', async () => {
    const saved = store();
    const whole = await run({ compile: 'auto', checkpoint: saved, checkpointEverySteps: 1 });
    for (const [i, bytes] of saved.saved.entries()) {
      const { state } = await decodeCheckpoint(bytes);
      const resumed = await run({ compile: 'auto', checkpoint: store(bytes), resume: true, checkpointEverySteps: 1 });
      expect(resumed.weights, `checkpoint ${i} (step ${state.step})`).toStrictEqual(whole.weights);
      expect(resumed.rates, `checkpoint ${i} (step ${state.step})`).toStrictEqual(whole.rates.slice(state.step));
    }
  });

  it('clips the gradient inside the compiled step: with SGD at rate 1 the applied update is at most the cap', async () => {
    const one = binaryData(16, 12, 99);
    const step = async (compile: 'auto' | false, clipGradientNorm?: number) => {
      const model = smallVae();
      const events: CompileEvent[] = [];
      const norms: number[] = [];
      try {
        const before = await Promise.all(model.variables().map(async (v) => Array.from(await v.variable.data())));
        await train(model, one, {
          epochs: 1,
          batchSize: 16,
          compile,
          optimizer: { type: 'sgd', learningRate: 1 },
          onCompile: (e) => events.push(e),
          onStep: (e) => norms.push(e.gradientNorm),
          ...(clipGradientNorm === undefined ? {} : { clipGradientNorm }),
        });
        const after = await Promise.all(model.variables().map(async (v) => Array.from(await v.variable.data())));
        const update = Math.sqrt(after.flat().reduce((sum, value, i) => sum + (value - before.flat()[i]!) ** 2, 0));
        return { update, gradientNorm: norms[0]!, statuses: events.map((e) => e.status) };
      } finally {
        model.dispose();
      }
    };
    const free = await step(false);
    const cap = free.gradientNorm / 4;
    const clipped = await step('auto', cap);
    expect(clipped.statuses).toEqual(['compiled']);
    expect(clipped.update).toBeLessThanOrEqual(cap * (1 + 1e-5));
    expect(clipped.update).toBeGreaterThan(cap * (1 - 1e-3));
  });
});
