import { describe, expect, it } from 'vitest';
import { DataError, parseIdx } from '../src/index.js';
import { loadMnist } from '../src/node/index.js';

// Per-class counts of the official MNIST split, as published with the data set.
const TRAIN_CLASS_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_CLASS_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

function classCounts(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of labels) counts[label]! += 1;
  return counts;
}

function meanIntensity(images: Uint8Array): number {
  let sum = 0;
  for (const v of images) sum += v;
  return sum / images.length / 255;
}

describe('loadMnist', () => {
  it('reads the 60,000 training digits', () => {
    const train = loadMnist({ split: 'train' });
    expect(train.count).toBe(60000);
    expect(train.rows).toBe(28);
    expect(train.cols).toBe(28);
    expect(train.images.length).toBe(60000 * 784);
    expect(train.labels.length).toBe(60000);
    expect(classCounts(train.labels)).toEqual(TRAIN_CLASS_COUNTS);
    expect(train.labels.reduce((a, b) => a + b, 0)).toBe(267236);
    expect(Array.from(train.labels.subarray(0, 8))).toEqual([5, 0, 4, 1, 9, 2, 1, 3]);
    expect(train.images.reduce((a, b) => Math.max(a, b), 0)).toBe(255);
    expect(train.images.reduce((a, b) => Math.min(a, b), 255)).toBe(0);
    // The widely quoted MNIST pixel mean (0.1307) used to normalize it.
    expect(meanIntensity(train.images)).toBeCloseTo(0.1307, 4);
  });

  it('reads the 10,000 test digits', () => {
    const test = loadMnist({ split: 'test' });
    expect(test.count).toBe(10000);
    expect(test.images.length).toBe(10000 * 784);
    expect(classCounts(test.labels)).toEqual(TEST_CLASS_COUNTS);
    expect(test.labels.reduce((a, b) => a + b, 0)).toBe(44434);
    expect(Array.from(test.labels.subarray(0, 8))).toEqual([7, 2, 1, 0, 4, 1, 4, 9]);
    expect(meanIntensity(test.images)).toBeCloseTo(0.1325, 4);
  });
});

function idxBytes(typeCode: number, dims: number[], body: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + body.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, typeCode, dims.length]);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(body, 4 + 4 * dims.length);
  return out;
}

describe('parseIdx', () => {
  it('parses a hand-built uint8 file', () => {
    const parsed = parseIdx(idxBytes(0x08, [2, 3], [1, 2, 3, 4, 5, 6]));
    expect(parsed.dtype).toBe('uint8');
    expect(parsed.dims).toEqual([2, 3]);
    expect(Array.from(parsed.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads multi-byte types big-endian', () => {
    const parsed = parseIdx(idxBytes(0x0c, [2], [0, 0, 1, 0, 0xff, 0xff, 0xff, 0xfe]));
    expect(Array.from(parsed.data)).toEqual([256, -2]);
  });

  it('rejects a truncated file', () => {
    const full = idxBytes(0x08, [10, 28, 28], new Array<number>(10 * 784).fill(7));
    const cut = full.subarray(0, full.length - 100);
    expect(() => parseIdx(cut, 'train-images')).toThrow(DataError);
    expect(() => parseIdx(cut, 'train-images')).toThrow(/train-images is truncated: its header declares \[10, 28, 28\]/);
    expect(() => parseIdx(full.subarray(0, 9), 'x')).toThrow(/truncated/);
    expect(() => parseIdx(full.subarray(0, 2), 'x')).toThrow(/truncated/);
  });

  it('rejects a bad magic number, trailing bytes and gzip', () => {
    expect(() => parseIdx(new Uint8Array([0, 1, 8, 1, 0, 0, 0, 0]), 'x')).toThrow(/not an IDX file \(magic number 0x00010801\)/);
    expect(() => parseIdx(new Uint8Array([0, 0, 0x42, 1, 0, 0, 0, 0]), 'x')).toThrow(/not an IDX file/);
    expect(() => parseIdx(idxBytes(0x08, [2], [1, 2, 3]), 'x')).toThrow(/x is corrupt/);
    expect(() => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0]), 'x')).toThrow(/gzip/);
  });
});
