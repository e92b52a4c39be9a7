import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CHECKPOINT_FORMAT,
  decodeCheckpoint,
  memoryCheckpointStore,
  prototypeDataset,
  train,
  type Dataset,
  type TrainOptions,
} from '../src/index.js';
import { decodeContainer, encodeContainer } from '../src/internal.js';
import { linearVae } from './helpers/linear-vae.js';
import { storeWith, weightsOf } from './helpers/resume-runs.js';
import { useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);
afterEach(() => vi.restoreAllMocks());

const data = prototypeDataset([12], 40);
const validation = prototypeDataset([12], 24, 5);
const base = {
  epochs: 2,
  batchSize: 16,
  seed: 3,
  klSchedule: { type: 'linear', from: 0, to: 1, steps: 4 },
  freeBits: 0.1,
  validation,
} as const satisfies TrainOptions;

/** A checkpoint of `base` stopped after `steps` steps (3 per epoch). */
async function checkpointAfter(steps: number, extra: Partial<TrainOptions> = {}): Promise<Uint8Array> {
  const store = memoryCheckpointStore();
  const controller = new AbortController();
  const model = linearVae();
  try {
    await train(model, data, {
      ...base,
      ...extra,
      checkpoint: store,
      signal: controller.signal,
      onStep: (e) => e.step === steps && controller.abort(),
    });
  } finally {
    model.dispose();
  }
  return (await store.load())!;
}

async function resume(bytes: Uint8Array, options: Partial<TrainOptions>, trainingData: Dataset = data) {
  const model = linearVae();
  const store = storeWith(bytes);
  try {
    const result = await train(model, trainingData, { ...base, ...options, checkpoint: store, resume: true });
    return { result, weights: await weightsOf(model), latest: (await store.load())! };
  } finally {
    model.dispose();
  }
}

/** The same examples as `data` but for one value: another file of the same length. */
function replacedData(): Dataset {
  const values = Float32Array.from(data.values);
  values[values.length - 1] = 1 - values[values.length - 1]!;
  return {
    size: data.size,
    exampleShape: data.exampleShape,
    binary: true,
    batch: (indices) => tf.tensor2d(indices.flatMap((i) => Array.from(values.subarray(i * 12, (i + 1) * 12))), [indices.length, 12]),
  };
}

describe('resume checks the settings that shape the run', () => {
  it.each([
    ['klSchedule', { klSchedule: { type: 'constant', value: 1 } }, /klSchedule \{"from":0,"steps":4,"to":1,"type":"linear"\} \(now \{"type":"constant","value":1\}\)/],
    ['freeBits', { freeBits: 0 }, /freeBits 0\.1 \(now 0\)/],
    ['batchSize', { batchSize: 8 }, /batchSize 16 \(now 8\)/],
    ['seed', { seed: 4 }, /seed 3 \(now 4\)/],
    ['optimizer', { optimizer: { type: 'adam', learningRate: 0.01 } }, /optimizer \{"learningRate":0\.001,"type":"adam"\} \(now \{"learningRate":0\.01,"type":"adam"\}; allowResumeChanges: \['learningRate'\] lets a resume change it\)/],
    ['validation data', { validation: prototypeDataset([12], 24, 6) }, /validation 24 examples of \[12\], content [0-9a-f]{12} \(now 24 examples of \[12\], content [0-9a-f]{12}\)/],
    ['validationLimit', { validationLimit: 10 }, /validationLimit all \(now 10\)/],
  ] as const)('refuses a changed %s, naming the old and the new value and what to do', async (_name, change, message) => {
    const bytes = await checkpointAfter(4);
    const attempt = resume(bytes, change as Partial<TrainOptions>);
    await expect(attempt).rejects.toBeInstanceOf(RangeError);
    await expect(attempt).rejects.toThrow(message);
    await expect(attempt).rejects.toThrow(/Resume with the run's own settings and data, or start a new run/);
  });

  it('leaves no tensors behind when it refuses', async () => {
    const bytes = await checkpointAfter(4);
    const before = tf.memory().numTensors;
    await expect(resume(bytes, { seed: 4 })).rejects.toThrow(/seed 3 \(now 4\)/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses training data replaced by other data of the same length', async () => {
    const bytes = await checkpointAfter(4);
    await expect(resume(bytes, {}, replacedData())).rejects.toThrow(
      /it was written with data 40 examples of \[12\], content ([0-9a-f]{12}) \(now 40 examples of \[12\], content (?!\1)[0-9a-f]{12}\)/,
    );
  });

  it('names every mismatched setting in one message', async () => {
    const bytes = await checkpointAfter(4);
    await expect(resume(bytes, { seed: 9, freeBits: 0, klSchedule: { type: 'constant', value: 1 } }, replacedData())).rejects.toThrow(
      /seed 3 \(now 9\).*klSchedule .* \(now .*\).*freeBits 0\.1 \(now 0\).*data 40 examples/,
    );
  });

  it('accepts the same settings given in another key order and the same data in another object, and continues exactly', async () => {
    const whole = await resume(await checkpointAfter(6), {}); // a finished run's weights, resumed from its own end
    const bytes = await checkpointAfter(4);
    const copy: Dataset = { ...data, batch: (indices, seed) => data.batch(indices, seed) };
    const resumed = await resume(bytes, { klSchedule: { steps: 4, to: 1, from: 0, type: 'linear' } }, copy);
    expect(resumed.result.resumedFromStep).toBe(4);
    expect(resumed.weights).toStrictEqual(whole.weights);
  });

  it('lets a run that never skipped a step switch between throwing and skipping on NaN, and refuses it once steps were skipped', async () => {
    const clean = await checkpointAfter(4);
    await expect(resume(clean, { onNonFinite: 'skip', maxSkippedSteps: 3 })).resolves.toBeDefined();

    // Every first batch is poisoned: its step is skipped.
    const poisoned: Dataset = {
      ...data,
      batch: (indices, seed) => (indices.length === 16 && indices.includes(0) ? tf.fill([16, 12], Number.NaN) : data.batch(indices, seed)),
    };
    const store = memoryCheckpointStore();
    const model = linearVae();
    await train(model, poisoned, { ...base, epochs: 1, checkpoint: store, onNonFinite: 'skip', maxSkippedSteps: 2 }).finally(() => model.dispose());
    const bytes = (await store.load())!;
    expect((await decodeCheckpoint(bytes)).state.skippedSteps).toBe(1);
    await expect(resume(bytes, { onNonFinite: 'throw' }, poisoned)).rejects.toThrow(
      /onNonFinite skip \(now throw\), maxSkippedSteps 2 \(now 10\).*Resume with the run's own settings/,
    );
    await expect(resume(bytes, { onNonFinite: 'skip', maxSkippedSteps: 2 }, poisoned)).resolves.toBeDefined();
  });

  it('says, without refusing, when the run continues where its steps round differently (another backend or compile setting)', async () => {
    // A checkpoint as a compiled run on native writes it, resumed here on cpu.
    const bytes = await rewriteState(await checkpointAfter(2), (state) => ({ ...state, environment: { backend: 'tensorflow', compile: 'auto' } }));
    const notes: string[] = [];
    await resume(bytes, { onResume: (e) => notes.push(...e.notes) });
    expect(notes).toEqual([expect.stringMatching(/^the run was trained on native, compiled; it continues on cpu, op by op: .* bit for bit$/)]);
    // On cpu the compile setting changes nothing: no note.
    notes.length = 0;
    await resume(await checkpointAfter(2), { compile: false, onResume: (e) => notes.push(...e.notes) });
    expect(notes).toEqual([]);
  });
});

type Meta = { state: Record<string, unknown> & { run: Record<string, unknown> } };

/** The same checkpoint with its loop state edited, as another vaekit (or another machine) would write it. */
async function rewriteState(bytes: Uint8Array, edit: (state: Meta['state']) => Record<string, unknown>): Promise<Uint8Array> {
  const container = await decodeContainer<Meta>(bytes, 'vaekit-checkpoint');
  const sections = Object.fromEntries(container.header.sections.map((s) => [s.name, container.section(s.name)]));
  return encodeContainer('vaekit-checkpoint', { ...container.header.meta, state: edit(container.header.meta.state) }, sections);
}

describe('checkpoint formats', () => {
  /** A checkpoint as pre-release builds wrote it: no format, settings, data fingerprint or running sums. */
  const asFormat1 = (bytes: Uint8Array): Promise<Uint8Array> =>
    rewriteState(bytes, ({ format: _f, consecutiveSkips: _c, epochSums: _e, environment: _v, ...state }) => {
      const { seed, batchSize, datasetSize } = state.run;
      return { ...state, run: { seed, batchSize, datasetSize } };
    });

  it('refuses a pre-release (format 1) checkpoint in one line, before anything is restored', async () => {
    const old = await asFormat1(await checkpointAfter(4));
    await expect(decodeCheckpoint(old, 'ckpt')).rejects.toThrow(
      /^ckpt is a checkpoint of format 1, written by a pre-release vaekit, which no release reads; start a new run$/,
    );
    await expect(resume(old, {})).rejects.toThrow(/pre-release vaekit/);
  });

  it('warns on the console when nobody listens to onResume', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const elsewhere = await rewriteState(await checkpointAfter(3), (state) => ({ ...state, environment: { backend: 'tensorflow', compile: 'auto' } }));
    await resume(elsewhere, {});
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/^vaekit: resuming from stop-point store: the run was trained on native, compiled/);
  });

  it('refuses a checkpoint from a newer format, saying so', async () => {
    const newer = await rewriteState(await checkpointAfter(2), (state) => ({ ...state, format: CHECKPOINT_FORMAT + 1 }));
    await expect(decodeCheckpoint(newer, 'ckpt')).rejects.toThrow(
      `ckpt is a checkpoint of format ${CHECKPOINT_FORMAT + 1}, written by a newer vaekit; this one reads format ${CHECKPOINT_FORMAT}: upgrade vaekit`,
    );
    await expect(resume(newer, {})).rejects.toThrow(/newer vaekit/);
  });
});
