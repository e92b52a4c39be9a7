import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { prototypeDataset, type Dataset } from '../src/index.js';
import { datasetFingerprint } from '../src/internal.js';
import { useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);

/** `size` examples of `dim` values, each a function of (index, position) and an optional change. */
function generated(size: number, dim: number, change?: { index: number }): Dataset & { calls: number[][] } {
  const calls: number[][] = [];
  return {
    size,
    exampleShape: [dim],
    binary: false,
    calls,
    batch(indices) {
      calls.push([...indices]);
      const out = new Float32Array(indices.length * dim);
      indices.forEach((index, row) => {
        for (let k = 0; k < dim; k++) out[row * dim + k] = Math.sin(index * 31 + k) + (change?.index === index ? 0.5 : 0);
      });
      return tf.tensor2d(out, [indices.length, dim]);
    },
  };
}

describe('datasetFingerprint', () => {
  it('hashes every example of small data: equal for equal contents, different when any one value differs', async () => {
    const a = await datasetFingerprint(prototypeDataset([12], 40));
    expect(a).toEqual({ size: 40, exampleShape: [12], hashed: 40, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await datasetFingerprint(prototypeDataset([12], 40))).toEqual(a);
    expect((await datasetFingerprint(generated(40, 12, { index: 39 }))).hash).not.toBe((await datasetFingerprint(generated(40, 12))).hash);
    expect((await datasetFingerprint(prototypeDataset([12], 40, 12))).hash).not.toBe(a.hash);
  });

  it('hashes a fixed sample of 1024 examples of large data, which tells apart two data sets of the same length', async () => {
    const size = 20_000;
    const original = generated(size, 4);
    const first = await datasetFingerprint(original);
    expect(first.hashed).toBe(1024);
    const sampled = original.calls.flat();
    expect(new Set(sampled).size).toBe(1024);
    // The same sample every time, spread over the whole data set rather than its first rows.
    expect(Math.max(...sampled)).toBeGreaterThan(size * 0.9);
    expect(await datasetFingerprint(generated(size, 4))).toEqual(first);
    // Another file of the same length: a different sampled row shows it.
    expect((await datasetFingerprint(generated(size, 4, { index: sampled[500]! }))).hash).not.toBe(first.hash);
  });

  it('reads batches with one fixed seed, so randomly transformed data (dynamic binarization) hashes the same every time', async () => {
    const seeds: number[] = [];
    const base = prototypeDataset([12], 40);
    const seeded: Dataset = { ...base, batch: (indices, seed) => (seeds.push(seed), base.batch(indices, seed)) };
    await datasetFingerprint(seeded);
    await datasetFingerprint(seeded);
    expect(new Set(seeds).size).toBe(1);
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    await datasetFingerprint(generated(3000, 8));
    expect(tf.memory().numTensors).toBe(before);
  });
});
