import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { listBackends, useBackend } from '@vaekit/backends';

// No silent skip: native is part of this workspace's setup (`pnpm install` runs scripts/setup-native.mjs), so
// an unavailable native backend fails here with the reason it gave. CI sets VAEKIT_REQUIRE_NATIVE=1, which
// also makes the setup itself fail early.
describe('native backend (tfjs-node on TensorFlow 2.21 C library)', () => {
  it('is available after setup', async () => {
    const native = (await listBackends()).find((b) => b.name === 'native');
    const why = native?.reason ?? '';
    const required = process.env['VAEKIT_REQUIRE_NATIVE'] === '1' ? ' (VAEKIT_REQUIRE_NATIVE=1)' : '';
    expect(native?.available, `native backend unavailable${required}: ${why}`).toBe(true);
  });

  it('names the TensorFlow version it runs on', async () => {
    const info = await useBackend('native');
    expect(info.runtime).toBe('TensorFlow 2.21.0 (C library)');
    expect(info.simd).toBeNull();
    expect(info.threads).toBeGreaterThanOrEqual(1);
  });

  it('rounds int32 tensors correctly (TensorFlow 2.21 Round returns zeros for int32; we route it to Identity)', async () => {
    await useBackend('native');
    const rounded = tf.tidy(() => tf.round(tf.tensor1d([1, -2, 3], 'int32')).dataSync());
    expect(Array.from(rounded)).toEqual([1, -2, 3]);
    const floats = tf.tidy(() => tf.round(tf.tensor1d([1.4, -2.6, 0.5, 1.5])).dataSync());
    expect(Array.from(floats)).toEqual([1, -3, 0, 2]);
  });

  it('computes a one-channel convolution input gradient correctly (oneDNN 2.21 AVX-512 kernels get it wrong; the backend caps oneDNN at AVX2)', async () => {
    await useBackend('native');
    expect(process.env['ONEDNN_MAX_CPU_ISA']).toBeDefined();
    const dx = tf.tidy(() => {
      const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
      const w = tf.tensor4d([-1, 1, -2, 0.5], [2, 2, 1, 1]);
      const dy = tf.tensor4d([3, 1, 2, 0], [1, 2, 2, 1]);
      return tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(input as tf.Tensor4D, w, 1, 'valid'), dy)))(x).dataSync();
    });
    // dx[i][j] = Σ dy[a][b] · w[i − a][j − b], worked out by hand; the AVX-512 kernels give -3, -1, 0, -2, 0, ….
    expect(Array.from(dx)).toEqual([-3, 2, 1, -8, 1.5, 0.5, -4, 1, 0]);
  });

  it('keeps TensorFlow quiet unless the user chose a log level', () => {
    expect(process.env['TF_CPP_MIN_LOG_LEVEL']).toBeDefined();
  });
});
