import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '@vaekit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataError, selectRows, splitDatasets, splitIndices } from '../src/index.js';

beforeAll(useCpu);

/** Every row once, and the two lists apart and sorted. */
function expectPartition(count: number, split: { train: number[]; heldOut: number[] }): void {
  expect([...split.train, ...split.heldOut].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
  expect(split.train).toEqual([...split.train].sort((a, b) => a - b));
  expect(split.heldOut).toEqual([...split.heldOut].sort((a, b) => a - b));
}

describe('splitIndices', () => {
  it('holds out floor(count x fraction) random rows, the same for the same seed, others for another', () => {
    const a = splitIndices(1000, { heldOutFraction: 0.1, seed: 7 });
    expect(a.heldOut).toHaveLength(100);
    expect(a.train).toHaveLength(900);
    expectPartition(1000, a);
    expect(splitIndices(1000, { heldOutFraction: 0.1, seed: 7 })).toEqual(a);
    expect(splitIndices(1000, { heldOutFraction: 0.1, seed: 8 }).heldOut).not.toEqual(a.heldOut);
    // Spread over the data, not its tail: rows from both halves are held out.
    expect(a.heldOut.some((i) => i < 500) && a.heldOut.some((i) => i >= 500)).toBe(true);
    expect(splitIndices(9, { heldOutFraction: 0.1, seed: 0 }).heldOut).toEqual([]);
    expect(splitIndices(0, { heldOutFraction: 0.5, seed: 0 })).toEqual({ train: [], heldOut: [] });
  });

  it('holds out exactly the rows listed, in any order', () => {
    const split = splitIndices(6, { heldOutIndices: [5, 0, 3] });
    expect(split).toEqual({ train: [1, 2, 4], heldOut: [0, 3, 5] });
  });

  it('refuses bad fractions, seeds and indices, naming the field and the value', () => {
    for (const fraction of [1, -0.1, Number.NaN, 2]) {
      expect(() => splitIndices(10, { heldOutFraction: fraction, seed: 0 })).toThrow(new RegExp(`heldOutFraction must be a number in \\[0, 1\\).*got ${fraction}`));
    }
    expect(() => splitIndices(10, { heldOutFraction: 0.1, seed: 1.5 })).toThrow(/seed must be a non-negative integer, got 1.5/);
    expect(() => splitIndices(10, { heldOutIndices: [1, 10] })).toThrow(/heldOutIndices\[1\] is 10, not a row of the data: rows are whole numbers in \[0, 10\)/);
    expect(() => splitIndices(10, { heldOutIndices: [-1] })).toThrow(DataError);
    expect(() => splitIndices(10, { heldOutIndices: [0.5] })).toThrow(/heldOutIndices\[0\] is 0.5/);
    expect(() => splitIndices(10, { heldOutIndices: [2, 3, 2] })).toThrow(/heldOutIndices\[2\] repeats row 2/);
  });
});

describe('splitDatasets', () => {
  it('builds a training and a held-out dataset from the rows of one loaded data set', async () => {
    // Row i holds the values 10i and 10i + 1.
    const loaded = { data: Float32Array.from({ length: 12 }, (_, k) => 10 * Math.floor(k / 2) + (k % 2)), count: 6, exampleShape: [2] };
    expect(Array.from(selectRows(loaded, [4, 1]).data)).toEqual([40, 41, 10, 11]);
    const { train, heldOut, split } = splitDatasets(loaded, { heldOutIndices: [1, 4] }, { binarization: 'none', exampleShape: [1, 2] });
    expect(split.heldOut).toEqual([1, 4]);
    expect([train.size, heldOut.size]).toEqual([4, 2]);
    expect(heldOut.exampleShape).toEqual([1, 2]);
    const before = tf.memory().numTensors;
    const batch = await heldOut.batch([0, 1], 0);
    expect(batch.shape).toEqual([2, 1, 2]);
    expect(Array.from(await batch.data())).toEqual([10, 11, 40, 41]);
    batch.dispose();
    const first = await train.batch([0, 3], 0);
    expect(Array.from(await first.data())).toEqual([0, 1, 50, 51]);
    first.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => splitDatasets(loaded, { heldOutFraction: 0.5, seed: 1 }, { binarization: 'none', exampleShape: [3] })).toThrow(/exampleShape \[3\] does not hold the 2 values/);
  });
});
