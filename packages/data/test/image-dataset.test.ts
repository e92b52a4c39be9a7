import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createImageDataset, DataError } from '../src/index.js';
import { mnistDataset } from '../src/node/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Read a tensor's values and dispose it. */
function take(t: tf.Tensor): Float32Array {
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}

/** 200 examples of 50 pixels with intensities spread over 0..255. */
function gradientImages(): Uint8Array {
  return Uint8Array.from({ length: 200 * 50 }, (_, i) => (i * 37) % 256);
}

describe('createImageDataset, dynamic binarization', () => {
  const images = gradientImages();
  const dataset = createImageDataset({ images, count: 200, exampleShape: [50], binarization: 'dynamic' });
  const all = Array.from({ length: 200 }, (_, i) => i);

  it('describes itself', () => {
    expect(dataset.size).toBe(200);
    expect(dataset.exampleShape).toEqual([50]);
    expect(dataset.binary).toBe(true);
  });

  it('returns binary float32 batches of the right shape', () => {
    const batch = dataset.batch([3, 1, 4], 9);
    expect(batch.shape).toEqual([3, 50]);
    expect(batch.dtype).toBe('float32');
    expect(take(batch).every((v) => v === 0 || v === 1)).toBe(true);
  });

  it('is reproducible for a seed and redrawn for another', () => {
    const a = take(dataset.batch(all, 1));
    const b = take(dataset.batch(all, 1));
    const c = take(dataset.batch(all, 2));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('draws an example the same way whatever batch it is in', () => {
    const alone = take(dataset.batch([17], 5));
    const among = take(dataset.batch([2, 17, 40], 5));
    expect(among.subarray(50, 100)).toEqual(alone);
  });

  it('keeps the intensity mean', () => {
    let intensity = 0;
    for (const v of images) intensity += v / 255;
    intensity /= images.length;
    let drawn = 0;
    const rounds = 20;
    for (let seed = 0; seed < rounds; seed++) for (const v of take(dataset.batch(all, seed))) drawn += v;
    drawn /= images.length * rounds;
    expect(Math.abs(drawn - intensity)).toBeLessThan(0.01);
  });

  it('maps 0 to 0 and 255 to 1 always', () => {
    const extremes = createImageDataset({
      images: Uint8Array.from([0, 255, 0, 255]),
      count: 1,
      exampleShape: [4],
      binarization: 'dynamic',
    });
    for (let seed = 0; seed < 20; seed++) expect(Array.from(take(extremes.batch([0], seed)))).toEqual([0, 1, 0, 1]);
  });

  it('creates no tensor it does not return', () => {
    const before = tf.memory().numTensors;
    const batch = dataset.batch([0, 1], 3);
    expect(tf.memory().numTensors).toBe(before + 1);
    batch.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects an index out of range', () => {
    expect(() => dataset.batch([200], 0)).toThrow(RangeError);
  });
});

describe('createImageDataset, static binarization', () => {
  const images = gradientImages();
  const make = (seed: number) =>
    createImageDataset({ images, count: 200, exampleShape: [5, 10, 1], binarization: 'static', seed });

  it('stays fixed across batch seeds and rebuilds, and depends on the dataset seed', () => {
    const dataset = make(11);
    const first = take(dataset.batch([0, 1, 2], 1));
    expect(take(dataset.batch([0, 1, 2], 2))).toEqual(first);
    expect(take(make(11).batch([0, 1, 2], 3))).toEqual(first);
    expect(take(make(12).batch([0, 1, 2], 1))).not.toEqual(first);
    expect(first.every((v) => v === 0 || v === 1)).toBe(true);
    expect(dataset.binary).toBe(true);
  });

  it('shapes batches by exampleShape', () => {
    const batch = make(0).batch([0, 1], 0);
    expect(batch.shape).toEqual([2, 5, 10, 1]);
    batch.dispose();
  });
});

describe('createImageDataset, no binarization', () => {
  it('scales uint8 by 1/255 and passes float through', () => {
    const bytes = createImageDataset({ images: Uint8Array.from([0, 51, 255]), count: 1, exampleShape: [3], binarization: 'none' });
    expect(Array.from(take(bytes.batch([0], 0)))).toEqual([0, 0.2, 1].map(Math.fround));
    expect(bytes.binary).toBe(false);
    const floats = createImageDataset({ images: Float32Array.from([-1.5, 2]), count: 2, exampleShape: [1], binarization: 'none' });
    expect(Array.from(take(floats.batch([1, 0], 0)))).toEqual([2, -1.5]);
  });

  it('reports binary data as binary', () => {
    const bits = createImageDataset({ images: Float32Array.from([0, 1, 1, 0]), count: 2, exampleShape: [2], binarization: 'none' });
    expect(bits.binary).toBe(true);
  });

  it('rejects mismatched sizes and out-of-range floats to binarize', () => {
    expect(() => createImageDataset({ images: new Uint8Array(10), count: 3, exampleShape: [3], binarization: 'none' })).toThrow(
      DataError,
    );
    expect(() =>
      createImageDataset({ images: Float32Array.from([0.5, 3]), count: 1, exampleShape: [2], binarization: 'dynamic' }),
    ).toThrow(/intensities in \[0, 1\], but value 3 is at index 1/);
  });
});

describe('mnistDataset', () => {
  it('gives flat or image-shaped, limited, binarized MNIST', () => {
    const flat = mnistDataset({ split: 'test', binarization: 'dynamic', seed: 0, limit: 100, shape: 'flat' });
    expect(flat.size).toBe(100);
    expect(flat.exampleShape).toEqual([784]);
    const batch = flat.batch([0, 99], 1);
    expect(batch.shape).toEqual([2, 784]);
    const values = take(batch);
    expect(values.every((v) => v === 0 || v === 1)).toBe(true);
    // A digit covers roughly a fifth of the frame, never none or all of it.
    const ink = values.reduce((a, b) => a + b, 0) / values.length;
    expect(ink).toBeGreaterThan(0.05);
    expect(ink).toBeLessThan(0.4);

    const image = mnistDataset({ split: 'test', binarization: 'none', limit: 10, shape: 'image' });
    expect(image.exampleShape).toEqual([28, 28, 1]);
    expect(image.binary).toBe(false);
    const pixels = image.batch([0], 0);
    expect(pixels.shape).toEqual([1, 28, 28, 1]);
    const max = take(pixels).reduce((a, b) => Math.max(a, b), 0);
    expect(max).toBe(1);
  });
});
