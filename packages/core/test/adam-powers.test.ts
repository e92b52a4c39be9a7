import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { powerByRepeatedProduct } from '../src/train/adam-powers.js';
import { useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);

describe('Adam β powers on resume', () => {
  it('equal what training holds after every update count up to 3000, where pow(β, t + 1) does not', () => {
    for (const beta of [0.9, 0.999]) {
      let trained = tf.scalar(beta);
      let powMismatches = 0;
      for (let t = 0; t <= 3000; t++) {
        const held = trained.dataSync()[0]!;
        expect(powerByRepeatedProduct(beta, t), `β=${beta}, t=${t}`).toBe(held);
        if (Math.fround(Math.pow(beta, t + 1)) !== held) powMismatches++;
        const next = tf.mul(trained, beta) as tf.Scalar;
        trained.dispose();
        trained = next;
      }
      trained.dispose();
      // The reason this exists: tfjs's setWeights rebuilds the powers with pow, which disagrees.
      expect(powMismatches, `β=${beta}`).toBeGreaterThan(100);
    }
  });
});
