
import {
  decodeCheckpoint,
  train,
  type CheckpointStore,
  type CompileEvent,
  type EpochEvent,
  type TrainOptions,
} from '@vaekit/core';
import { createVae } from '@vaekit/variants';
import { beforeAll, describe, expect, it } from 'vitest';
import { binaryData, useNativeWithCompiledSteps } from './helpers/native-compiled.js';

beforeAll(useNativeWithCompiledSteps);


/** Keeps every checkpoint saved, to resume from each in turn; or starts from one given checkpoint. */
function store(initial?: Uint8Array): CheckpointStore & { readonly saved: Uint8Array[] } {
  const saved: Uint8Array[] = initial ? [initial.slice()] : [];
  return {
    location: 'test store',
    saved,
    save: async (bytes) => void saved.push(bytes.slice()),
    load: async () => saved.at(-1)?.slice() ?? null,
  };
}

type Timeless = Omit<EpochEvent, 'elapsedMs'>;
const timeless = ({ elapsedMs: _elapsed, ...rest }: EpochEvent): Timeless => rest;

// 40 examples in batches of 16: each epoch ends on a batch of 8, so both compiled functions are resumed.
const data = binaryData(40, 12, 12345);
const validation = binaryData(24, 12, 777);
const smallVae = () => createVae({ inputShape: [12], latentDim: 3, architecture: { type: 'mlp', hiddenUnits: [10] } });

async function run(compile: 'auto' | false, checkpoint: CheckpointStore, resume: boolean) {
  const model = smallVae();
  const events: CompileEvent[] = [];
  const epochEnds: number[] = [];
  try {
    const options: TrainOptions = {
      epochs: 3,
      batchSize: 16,
      seed: 9,
      klSchedule: { type: 'linear', from: 0, to: 1, steps: 5 },
      validation,
      compile,
      checkpoint,
      checkpointEverySteps: 1,
      resume,
      onCompile: (e) => events.push(e),
      onEpochEnd: (e) => void epochEnds.push(e.epoch),
    };
    const result = await train(model, data, options);
    const weights = await Promise.all(model.variables().map(async (v) => Array.from(await v.variable.data())));
    return { weights, history: result.history.map(timeless), events, epochEnds };
  } finally {
    model.dispose();
  }
}

describe('exact resume on native', () => {
  for (const compile of ['auto', false] as const) {
    it(`(compile ${compile}) resumed from the checkpoint written after every step, ends with the uninterrupted run's weights and full history, bit for bit`, async () => {
      const saves = store();
      const whole = await run(compile, saves, false);
      if (compile === 'auto') expect(whole.events.map((e) => (e.status === 'compiled' ? e.batchShape[0] : e.reason))).toEqual([16, 8]);
      expect(saves.saved).toHaveLength(12);
      for (const [i, bytes] of saves.saved.entries()) {
        const { state } = await decodeCheckpoint(bytes);
        const resumed = await run(compile, store(bytes), true);
        const at = `checkpoint ${i} (step ${state.step}, epoch ${state.epoch}, next batch ${state.nextBatch})`;
        expect(resumed.events.every((e) => e.status === (compile === 'auto' ? 'compiled' : 'eager')), at).toBe(true);
        expect(resumed.history, at).toStrictEqual(whole.history);
        expect(resumed.weights, at).toStrictEqual(whole.weights);
        expect(resumed.epochEnds, at).toEqual([1, 2, 3].filter((epoch) => epoch > state.history.length));
      }
    });
  }
});
