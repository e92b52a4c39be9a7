import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../src/index.js';
import { wasmTransposedMatMulFixActive } from '../src/wasm-transposed-matmul.js';

describe('wasm matMul with transposed operands', () => {
  it('runs through explicit-transpose kernels and matches the cpu backend, in the forms gradients use', async () => {
    const compute = () =>
      tf.tidy(() => {
        const a = tf.randomNormal([3, 5, 4], 0, 1, 'float32', 1);
        const b = tf.randomNormal([3, 6, 5], 0, 1, 'float32', 2);
        const w = tf.randomNormal([4, 7], 0, 1, 'float32', 3);
        const bias = tf.randomNormal([7], 0, 1, 'float32', 4);
        const x2 = tf.randomNormal([4, 9], 0, 1, 'float32', 5);
        const products = [
          tf.matMul(a, b, true, true),
          tf.matMul(a, tf.transpose(b, [0, 2, 1]), true, false),
          tf.fused.matMul({ a: x2, b: w, transposeA: true, bias, activation: 'relu' }),
        ];
        // The two products tfjs's matMul gradient computes: dA = dY * B^T and dB = A^T * dY.
        const input = tf.randomNormal([8, 4], 0, 1, 'float32', 6);
        const dy = tf.randomNormal([8, 7], 0, 1, 'float32', 7);
        const gradientForms = [tf.matMul(dy, w, false, true), tf.matMul(input, dy, true, false)];
        return tf.concat([...products, ...gradientForms].map((t) => tf.reshape(t, [-1])));
      });
    await useBackend('wasm');
    expect(wasmTransposedMatMulFixActive()).toBe(true);
    const onWasm = await compute().data();
    await useBackend('cpu');
    const onCpu = await compute().data();
    expect(onWasm.length).toBe(onCpu.length);
    onCpu.forEach((expected, i) => expect(onWasm[i]).toBeCloseTo(expected, 3));
  });
});
