import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from './dataset.js';
import { SeededRandom } from './random.js';

/**
 * A small, learnable, binary data set of any example shape: four random prototype patterns, each
 * example one prototype with ~5% of its values flipped. Built in JavaScript from a seed, so it is
 * identical on every backend.
 */
export function prototypeDataset(exampleShape: readonly number[], size = 64, seed = 11): Dataset & { values: Float32Array } {
  const valuesPerExample = exampleShape.reduce((a, b) => a * b, 1);
  const rng = new SeededRandom(seed);
  const prototypes = Array.from({ length: 4 }, () =>
    Float32Array.from({ length: valuesPerExample }, () => (rng.nextFloat() < 0.5 ? 1 : 0)),
  );
  const values = new Float32Array(size * valuesPerExample);
  for (let i = 0; i < size; i++) {
    const proto = prototypes[i % prototypes.length]!;
    for (let j = 0; j < valuesPerExample; j++) {
      const flip = rng.nextFloat() < 0.05;
      values[i * valuesPerExample + j] = flip ? 1 - proto[j]! : proto[j]!;
    }
  }
  return valuesDataset(values, exampleShape, true);
}

/**
 * A `Dataset` over `values` held in memory, example after example (row-major), read by `batch` as they
 * are (no transform, so `seed` is unused); `values` is returned with it.
 */
export function valuesDataset(values: Float32Array, exampleShape: readonly number[], binary: boolean): Dataset & { values: Float32Array } {
  const valuesPerExample = exampleShape.reduce((a, b) => a * b, 1);
  const size = values.length / valuesPerExample;
  return {
    size,
    exampleShape: [...exampleShape],
    binary,
    values,
    batch(indices) {
      const out = new Float32Array(indices.length * valuesPerExample);
      indices.forEach((index, row) => {
        if (!Number.isInteger(index) || index < 0 || index >= size) throw new RangeError(`index ${index} out of range 0..${size - 1}`);
        out.set(values.subarray(index * valuesPerExample, (index + 1) * valuesPerExample), row * valuesPerExample);
      });
      return tf.tensor(out, [indices.length, ...exampleShape]);
    },
  };
}
