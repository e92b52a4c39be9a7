import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { fuse, unfuse } from '../src/fuse.js';

// Fusing is plain tfjs: it is checked here on the cpu backend; the collectives between are checked on real
// clusters in cluster.test.ts.

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('fuse and unfuse', () => {
  it('flatten tensors of any rank into one buffer, in order, and split it back to the same shapes', () => {
    const tensors = [tf.tensor2d([[1, 2, 3], [4, 5, 6]]), tf.scalar(7), tf.tensor1d([]), tf.tensor3d([8, 9], [1, 2, 1])];
    const before = tf.memory().numTensors;
    const flat = fuse(tensors);
    expect(Array.from(flat.dataSync())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const back = unfuse(flat, tensors);
    expect(back.map((t) => t.shape)).toEqual([[2, 3], [], [0], [1, 2, 1]]);
    expect(back.map((t) => Array.from(t.dataSync()))).toEqual([[1, 2, 3, 4, 5, 6], [7], [], [8, 9]]);
    // Exactly the buffer and the pieces are new: no intermediate is left behind.
    expect(tf.memory().numTensors - before).toBe(1 + tensors.length);
    tf.dispose([flat, ...back, ...tensors]);
    expect(tf.memory().numTensors).toBe(0);
  });

  it('keeps int32', () => {
    const ints = [tf.tensor1d([1, 2], 'int32'), tf.tensor2d([[3]], [1, 1], 'int32')];
    const flat = fuse(ints);
    expect(flat.dtype).toBe('int32');
    const back = unfuse(flat, ints);
    expect(back.map((t) => t.dtype)).toEqual(['int32', 'int32']);
    tf.dispose([flat, ...back, ...ints]);
  });

  it('refuses an empty list, mixed dtypes and dtypes a collective does not carry, leaking nothing', () => {
    const f = tf.scalar(1);
    const i = tf.scalar(1, 'int32');
    const b = tf.tensor1d([true], 'bool');
    const before = tf.memory().numTensors;
    expect(() => fuse([])).toThrow(/empty/);
    expect(() => fuse([f, i])).toThrow(/tensor 0 is float32, tensor 1 is int32/);
    expect(() => fuse([b])).toThrow(/float32 or int32 tensors; tensor 0 is bool/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([f, i, b]);
  });

  it('refuses to split a buffer of the wrong size', () => {
    const flat = tf.tensor1d([1, 2, 3]);
    const like = [tf.zeros([2, 2])];
    expect(() => unfuse(flat, like)).toThrow(/cannot split 3 values into tensors of 4/);
    tf.dispose([flat, ...like]);
  });
});
