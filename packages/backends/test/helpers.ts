import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

import type { BackendInfo } from '@vaekit/backends';

/** A 2x3 @ 3x2 matMul plus a log1p, checked against values worked out by hand within the backend's tolerance. */
export function runSmallOps(info: BackendInfo): void {
  const { rtol, atol } = info.tolerance;
  const close = (actual: ArrayLike<number>, expected: number[]): void => {
    expect(actual.length).toBe(expected.length);
    expected.forEach((e, i) => {
      const a = actual[i] ?? Number.NaN;
      expect(Math.abs(a - e), `element ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(atol + rtol * Math.abs(e));
    });
  };
  tf.tidy(() => {
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = tf.tensor2d([7, 8, 9, 10, 11, 12], [3, 2]);
    close(tf.matMul(a, b).dataSync(), [58, 64, 139, 154]);
    close(tf.log1p(tf.tensor1d([0, 1, 0.5])).dataSync(), [0, Math.LN2, Math.log1p(0.5)]);
  });
}
