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

  it('keeps TensorFlow quiet unless the user chose a log level', () => {
    expect(process.env['TF_CPP_MIN_LOG_LEVEL']).toBeDefined();
  });
});
