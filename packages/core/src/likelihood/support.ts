import * as tf from '@tensorflow/tfjs-core';
import type { SeededRandom } from '../random.js';
import type { LikelihoodSupport } from './types.js';

/** How each support is described in messages. */
export const SUPPORT_DESCRIPTIONS: Readonly<Record<LikelihoodSupport, string>> = {
  binary: 'values exactly 0 or 1',
  'unit-interval': 'values in [0, 1]',
  'eight-bit': 'the 256 levels k/255 of 8-bit pixels in [0, 1]',
  real: 'finite real values',
};

// Data scaled from bytes carries float32 rounding of k/255; this is far below the 1/510 between levels.
const LEVEL_TOLERANCE = 1e-4;

/** Whether one value lies in the support. */
export function inSupport(support: LikelihoodSupport, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  switch (support) {
    case 'binary':
      return value === 0 || value === 1;
    case 'unit-interval':
      return value >= 0 && value <= 1;
    case 'eight-bit':
      return value >= 0 && value <= 1 && Math.abs(value * 255 - Math.round(value * 255)) <= LEVEL_TOLERANCE * 255;
    case 'real':
      return true;
  }
}

/** The position of the first value outside `support`, or -1 when all are inside. */
export function firstOutsideSupport(support: LikelihoodSupport, values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!inSupport(support, values[i]!)) return i;
  return -1;
}

/** The first value outside `support`, described with its position, or undefined when all are inside. */
export function checkSupport(support: LikelihoodSupport, values: ArrayLike<number>): string | undefined {
  const i = firstOutsideSupport(support, values);
  return i < 0 ? undefined : `value ${values[i]} at position ${i} is outside the support (${SUPPORT_DESCRIPTIONS[support]})`;
}

/**
 * Seeded data of `shape` spread over the support, for tests that must exercise a likelihood where it is
 * defined: fair coin flips, uniform [0, 1], uniform 8-bit levels, or standard normal values.
 */
export function drawFromSupport(support: LikelihoodSupport, shape: readonly number[], rng: SeededRandom): tf.Tensor {
  return tf.tidy(() => {
    switch (support) {
      case 'binary':
        return tf.cast(tf.less(rng.uniform(shape), 0.5), 'float32');
      case 'unit-interval':
        return rng.uniform(shape);
      case 'eight-bit':
        return tf.div(tf.floor(tf.mul(rng.uniform(shape), 255.999)), 255);
      case 'real':
        return rng.normal(shape);
    }
  });
}

/** The range a likelihood's mean may take, for range checks: [low, high]. */
export function supportRange(support: LikelihoodSupport): readonly [number, number] {
  return support === 'real' ? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY] : [0, 1];
}
