import { tensor } from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { SeededRandom, type Dataset } from '@vaekit/core';
import { mixSeed } from '@vaekit/core/internal';
import { DataError } from './data-error.js';
import { formatShape, isValidShape, shapeSize } from './shape.js';
import type { Binarization } from './types.js';

export interface ImageDatasetOptions {
  /**
   * All examples, row-major. Uint8Array values are 8-bit intensities (scaled by 1/255); Float32Array
   * values are used as given, and must lie in [0, 1] when they are to be binarized.
   * The dataset keeps a reference (no copy): do not mutate the array afterwards.
   */
  images: Uint8Array | Float32Array;
  count: number;
  /** Shape of one example, e.g. [784] for an MLP or [28, 28, 1] for a convolutional encoder. */
  exampleShape: readonly number[];
  binarization: Binarization;
  /** Seed of the one-off draw for `static` binarization. Default 0. */
  seed?: number;
}

/**
 * A `Dataset` over images held in memory. For `dynamic` binarization, batch(indices, seed) is fully
 * determined by its arguments: example i is drawn from a generator seeded by (seed, i), so the same
 * example gets the same pixels whatever batch it lands in, and another seed redraws it.
 */
export function createImageDataset(options: ImageDatasetOptions): Dataset {
  const { images, count, binarization } = options;
  const exampleShape = [...options.exampleShape];
  if (!Number.isInteger(count) || count < 0) {
    throw new DataError(`count must be a non-negative integer, got ${count}`);
  }
  if (!isValidShape(exampleShape)) {
    throw new DataError(`exampleShape must be positive integers, got ${formatShape(exampleShape)}`);
  }
  const exampleSize = shapeSize(exampleShape);
  if (images.length !== count * exampleSize) {
    throw new DataError(
      `expected ${count} examples of shape ${formatShape(exampleShape)} (${count * exampleSize} values), ` +
        `got ${images.length} values`,
    );
  }
  if (binarization !== 'none' && images instanceof Float32Array) {
    assertProbabilities(images);
  }
  const seed = options.seed ?? 0;

  // One function per mode that fills `out` with example `index` (at `offset`): decided once, not per pixel.
  let fill: (out: Float32Array, offset: number, index: number, batchSeed: number) => void;
  let binary: boolean;
  switch (binarization) {
    case 'none': {
      const scale = images instanceof Uint8Array ? 1 / 255 : 1;
      binary = isBinary(images);
      fill = (out, offset, index) => {
        const start = index * exampleSize;
        for (let k = 0; k < exampleSize; k++) out[offset + k] = (images[start + k] as number) * scale;
      };
      break;
    }
    case 'static': {
      const fixed = new Uint8Array(images.length);
      for (let i = 0; i < count; i++) binarizeInto(fixed, i * exampleSize, images, i, exampleSize, mixSeed(seed, i));
      binary = true;
      fill = (out, offset, index) => {
        const start = index * exampleSize;
        for (let k = 0; k < exampleSize; k++) out[offset + k] = fixed[start + k] as number;
      };
      break;
    }
    case 'dynamic': {
      binary = true;
      fill = (out, offset, index, batchSeed) =>
        binarizeInto(out, offset, images, index, exampleSize, mixSeed(batchSeed, index));
      break;
    }
    default:
      throw new DataError(`unknown binarization '${String(binarization)}': use dynamic, static or none`);
  }

  return {
    size: count,
    exampleShape,
    binary,
    batch(indices: readonly number[], batchSeed: number): Tensor {
      const out = new Float32Array(indices.length * exampleSize);
      indices.forEach((index, row) => {
        if (!Number.isInteger(index) || index < 0 || index >= count) {
          throw new RangeError(`example index ${index} is outside [0, ${count})`);
        }
        fill(out, row * exampleSize, index, batchSeed);
      });
      return tensor(out, [indices.length, ...exampleShape], 'float32');
    },
  };
}

/** Write Bernoulli(p) draws for one example, p being its intensities in [0, 1]. */
export function binarizeInto(
  out: Float32Array | Uint8Array,
  offset: number,
  images: Uint8Array | Float32Array,
  index: number,
  exampleSize: number,
  seed: number,
): void {
  const rng = new SeededRandom(seed);
  const start = index * exampleSize;
  // Comparing against the uint8 value directly avoids a division per pixel; u * 255 < v  <=>  u < v / 255.
  const scale = images instanceof Uint8Array ? 255 : 1;
  for (let k = 0; k < exampleSize; k++) {
    out[offset + k] = rng.nextFloat() * scale < (images[start + k] as number) ? 1 : 0;
  }
}

function assertProbabilities(values: Float32Array): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    // Written so NaN fails too.
    if (!(v >= 0 && v <= 1)) {
      throw new DataError(
        `binarization needs intensities in [0, 1], but value ${v} is at index ${i}; ` +
          `scale the data into [0, 1] or use binarization 'none'`,
      );
    }
  }
}

function isBinary(values: Uint8Array | Float32Array): boolean {
  const one = values instanceof Uint8Array ? 255 : 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== 0 && v !== one) return false;
  }
  return true;
}
