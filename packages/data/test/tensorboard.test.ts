import * as tf from '@tensorflow/tfjs-core';
import { train, type EpochEvent, type StepEvent } from '@vaekit/core';
import { readWithTensorBoard, tensorBoardMissing, useCpu } from '@vaekit/test-utils';
import { createVae } from '@vaekit/variants';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageDataset, tileImages } from '../src/index.js';
import { tensorBoardLogger, TensorBoardWriter } from '../src/node/index.js';
import { crc32c, maskedCrc32c } from '../src/node/tensorboard/crc32c.js';
import { histogramOf } from '../src/node/tensorboard/histogram.js';
import { frameRecord } from '../src/node/tensorboard/tfrecord.js';

const root = mkdtempSync(join(tmpdir(), 'vaekit-tensorboard-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const freshDir = () => join(root, `run-${++folders}`);

describe('TFRecord framing', () => {
  it('computes CRC-32C and its TFRecord mask', () => {
    // The check value of CRC-32C (RFC 3720, appendix B.4).
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    const crc = 0xe3069283;
    expect(maskedCrc32c(new TextEncoder().encode('123456789'))).toBe(((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0);
  });

  it('frames a record as length, its masked CRC, the data and its masked CRC', () => {
    const data = Uint8Array.from([1, 2, 3]);
    const record = frameRecord(data);
    const view = new DataView(record.buffer);
    expect(record.length).toBe(8 + 4 + 3 + 4);
    expect(view.getBigUint64(0, true)).toBe(3n);
    expect(view.getUint32(8, true)).toBe(maskedCrc32c(record.subarray(0, 8)));
    expect(Array.from(record.subarray(12, 15))).toEqual([1, 2, 3]);
    expect(view.getUint32(15, true)).toBe(maskedCrc32c(data));
  });
});

describe('histogramOf', () => {
  it('counts values into equal-width buckets with inclusive upper limits', () => {
    const h = histogramOf([0, 1, 2, 3, 4], 4);
    expect(h.bucketLimits).toEqual([1, 2, 3, 4]);
    expect(h.bucketCounts).toEqual([2, 1, 1, 1]);
    expect({ min: h.min, max: h.max, count: h.count, sum: h.sum, sumSquares: h.sumSquares }).toEqual({ min: 0, max: 4, count: 5, sum: 10, sumSquares: 30 });
  });

  it('puts equal values in one bucket and refuses what it cannot bucket', () => {
    expect(histogramOf([2, 2, 2]).bucketCounts).toEqual([3]);
    expect(() => histogramOf([])).toThrow(/at least one value/);
    expect(() => histogramOf([1, Number.NaN])).toThrow(/finite, got NaN at index 1/);
    expect(() => histogramOf([1], 0)).toThrow(/buckets must be a positive integer, got 0/);
  });
});

describe('TensorBoardWriter', () => {
  it('names its file as TensorBoard looks for it and refuses bad tags, steps and writes after close', () => {
    const dir = freshDir();
    const writer = new TensorBoardWriter(dir);
    expect(readdirSync(dir)).toEqual([writer.path.slice(dir.length + 1)]);
    expect(writer.path).toMatch(/events\.out\.tfevents\.\d+\./);
    expect(() => writer.scalar('', 1, 0)).toThrow(/non-empty string, got ""/);
    expect(() => writer.scalar('loss', 1, -1)).toThrow(/step must be a whole number >= 0, got -1/);
    expect(() => writer.scalar('loss', 1, 1.5)).toThrow(/got 1.5/);
    writer.close();
    writer.close();
    expect(() => writer.scalar('loss', 1, 0)).toThrow(/is closed/);
    // The header event alone: one record holding file_version.
    expect(new TextDecoder().decode(readFileSync(writer.path))).toContain('brain.Event:2');
  });

  it('refuses bad logger options, naming the field and the value', () => {
    expect(() => tensorBoardLogger(freshDir(), { samples: -1 })).toThrow(/samples must be a whole number >= 0, got -1/);
    expect(() => tensorBoardLogger(freshDir(), { everySteps: 0 })).toThrow(/everySteps must be a whole number >= 1, got 0/);
    expect(() => tensorBoardLogger(freshDir(), { klExamples: 2.5 })).toThrow(/klExamples must be a whole number >= 1, got 2.5/);
  });
});

const missing = tensorBoardMissing();
// CI installs TensorBoard (.ci/run), so there its absence is a failure, never a skip.
if (missing && process.env.CI === 'true') throw new Error(`the TensorBoard read-back tests cannot run: ${missing}`);

describe.skipIf(missing !== null)(`event files read back by TensorBoard's EventAccumulator${missing ? ` (skipped: ${missing})` : ''}`, () => {
  beforeAll(useCpu);

  it('holds the scalars, histogram and images written, at their steps', () => {
    const dir = freshDir();
    const writer = new TensorBoardWriter(dir);
    writer.scalar('loss', 0.5, 1);
    writer.scalars({ loss: 1.25, 'other/rate': -3 }, 2);
    writer.histogram('kl', [0, 1, 2, 3, 4], 2, 4);
    const grey = { pixels: new Uint8Array(5 * 3).fill(200), width: 5, height: 3 };
    writer.image('grey', grey, 3);
    writer.image('colour', { pixels: new Uint8Array(2 * 7 * 3).fill(9), width: 2, height: 7, channels: 3 }, 4);
    writer.close();

    const read = readWithTensorBoard(dir);
    expect(read.scalars).toEqual({ loss: [[1, 0.5], [2, 1.25]], 'other/rate': [[2, -3]] });
    expect(read.histograms.kl).toEqual([{ step: 2, num: 5, min: 0, max: 4, sum: 10, bucketSum: 5, bucketLimits: [1, 2, 3, 4] }]);
    expect(read.images).toEqual({
      grey: [{ step: 3, width: 5, height: 3, pngWidth: 5, pngHeight: 3 }],
      colour: [{ step: 4, width: 2, height: 7, pngWidth: 2, pngHeight: 7 }],
    });
  });

  it("reads a resumed run's later file over the steps the first one logged past the checkpoint", () => {
    const dir = freshDir();
    const first = new TensorBoardWriter(dir);
    for (let step = 1; step <= 5; step++) first.scalar('loss', step, step);
    first.close();
    // A resume from the checkpoint at step 3 logs steps 4 and 5 again, then goes on.
    const resumed = new TensorBoardWriter(dir);
    expect(resumed.path > first.path).toBe(true);
    resumed.startSession(4);
    for (let step = 4; step <= 6; step++) resumed.scalar('loss', 10 * step, step);
    resumed.close();
    expect(readWithTensorBoard(dir).scalars.loss).toEqual([[1, 1], [2, 2], [3, 3], [4, 40], [5, 50], [6, 60]]);
  });

  it('starts a session at its first step, so a resumed run replaces the steps it repeats', async () => {
    const dir = freshDir();
    const event = (step: number, total: number): StepEvent => ({
      epoch: 1, epochs: 1, batch: step, batches: 5, step, totalSteps: 5, terms: { total },
      klWeight: 1, learningRate: 1e-3, gradientNorm: 1, examplesPerSecond: 100, elapsedMs: 1, etaMs: 1,
    });
    const first = tensorBoardLogger(dir, { samples: 0 });
    for (const step of [1, 2, 3, 4]) first.onStep(event(step, step));
    first.close();
    const resumed = tensorBoardLogger(dir, { samples: 0 });
    for (const step of [3, 4, 5]) resumed.onStep(event(step, 10 * step));
    resumed.close();
    expect(readWithTensorBoard(dir).scalars['step/total']).toEqual([[1, 1], [2, 2], [3, 30], [4, 40], [5, 50]]);
  });

  it("logs a short training run: every step's and epoch's values, the KL per dimension and the sample grids", async () => {
    const latentDim = 3;
    const side = 4;
    const model = createVae({ inputShape: [side * side], latentDim, architecture: { type: 'mlp', hiddenUnits: [10] } });
    const images = Float32Array.from({ length: 40 * side * side }, (_, i) => ((i * 7919) % 13) / 12);
    const data = createImageDataset({ images, count: 40, exampleShape: [side * side], binarization: 'dynamic' });
    const dir = freshDir();
    const logger = tensorBoardLogger(dir, { validation: data, klExamples: 16, samples: 12, seed: 5 });
    const steps: StepEvent[] = [];
    const epochs: EpochEvent[] = [];
    const tensorsBefore = tf.memory().numTensors;
    try {
      await train(model, data, {
        epochs: 2,
        batchSize: 10,
        seed: 3,
        validation: data,
        onStep: (event) => {
          steps.push(event);
          logger.onStep(event);
        },
        onEpochEnd: async (event, trained) => {
          epochs.push(event);
          const before = tf.memory().numTensors;
          await logger.onEpochEnd(event, trained);
          expect(tf.memory().numTensors).toBe(before);
        },
      });
    } finally {
      logger.close();
    }
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    model.dispose();

    const read = readWithTensorBoard(dir);
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const stepSeries = (pick: (event: StepEvent) => number) => steps.map((s) => [s.step, Math.fround(pick(s))]);
    for (const term of ['total', 'reconstruction', 'kl']) {
      expect(read.scalars[`step/${term}`], term).toEqual(stepSeries((s) => s.terms[term]!));
    }
    expect(read.scalars['step/kl_weight']).toEqual(stepSeries((s) => s.klWeight));
    expect(read.scalars['step/gradient_norm']).toEqual(stepSeries((s) => s.gradientNorm));
    expect(read.scalars['step/learning_rate']).toEqual(stepSeries((s) => s.learningRate));
    expect(read.scalars['step/examples_per_second']).toEqual(stepSeries((s) => s.examplesPerSecond));

    expect(epochs.map((e) => e.step)).toEqual([4, 8]);
    for (const [part, pick] of [
      ['train', (e: EpochEvent) => e.train],
      ['validation', (e: EpochEvent) => e.validation!],
    ] as const) {
      for (const term of Object.keys(pick(epochs[0]!))) {
        expect(read.scalars[`epoch/${part}/${term}`], `${part} ${term}`).toEqual(epochs.map((e) => [e.step, Math.fround(pick(e)[term]!)]));
      }
    }

    const kl = read.histograms['latent/kl_per_dimension']!;
    expect(kl.map((h) => [h.step, h.num, h.bucketSum])).toEqual([
      [4, latentDim, latentDim],
      [8, latentDim, latentDim],
    ]);
    for (const h of kl) expect(h.min).toBeGreaterThanOrEqual(0);
    expect(read.scalars['latent/active_units']!.map(([step, count]) => [step, Number.isInteger(count) && count <= latentDim])).toEqual([
      [4, true],
      [8, true],
    ]);

    // 12 samples of 4x4 in rows of 8, drawn as the logger draws them.
    const grid = tileImages(new Float32Array(12 * side * side), 12, side, side, { columns: 8 });
    expect(read.images.samples).toEqual([
      { step: 4, width: grid.width, height: grid.height, pngWidth: grid.width, pngHeight: grid.height },
      { step: 8, width: grid.width, height: grid.height, pngWidth: grid.width, pngHeight: grid.height },
    ]);
  });
});
