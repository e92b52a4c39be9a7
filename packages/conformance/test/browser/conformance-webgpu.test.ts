// The conformance suite on tfjs's WebGPU backend in headless Chromium (SwiftShader here, with the flags in
// scripts/ensure-chromium.mjs), for every registered variant and, with Vae and VqVae, every registered
// likelihood. WebGPU is required: when the page has no adapter, selecting it throws with the reason and
// every test here fails.
//
// The suite's leak check counts tensors (tf.memory().numTensors), which is tfjs-core's bookkeeping and exact
// on webgpu too. What it cannot see is the GPU side: webgpu releases a disposed tensor's buffer only once the
// commands using it are submitted. The extra check below submits the queue and then compares the bytes held
// in GPU buffers (tf.memory().numBytesInGPU) with the start.
import * as tf from '@tensorflow/tfjs-core';
import '@vaekit/variants';
import { useBackend } from '@vaekit/backends';
import { train } from '@vaekit/core';
import { describe, expect, it } from 'vitest';

import { build } from '../../src/cases.js';
import { defineConformanceSuite } from '../../src/index.js';
import { createVariantFixture } from '../../src/variant-checks/fixture.js';
import { conformanceCases } from '../helpers/cases.js';

const variants = conformanceCases();
defineConformanceSuite({ backend: 'webgpu', variants });

/** Bytes in GPU buffers that live tensors hold, once every queued command is submitted. */
function settledGpuBytes(): number {
  // tfjs-backend-webgpu releases the buffers of tensors disposed while queued commands use them when it
  // submits the queue; submit now. Both are public methods of its backend that tfjs-core's types do not
  // name; submitQueue needs an open command encoder, which the first makes when none is.
  const backend = tf.backend() as unknown as { ensureCommandEncoderReady(): void; submitQueue(): void };
  backend.ensureCommandEncoderReady();
  backend.submitQueue();
  return (tf.memory() as tf.MemoryInfo & { numBytesInGPU: number }).numBytesInGPU;
}

describe('webgpu frees GPU buffers, not only tensors', () => {
  for (const variant of variants) {
    it(`${variant.name}: bytes in GPU buffers return to where they were after training and disposal`, async () => {
      await useBackend('webgpu');
      const model = build(variant);
      const fixture = createVariantFixture(variant, 'webgpu', 'cpu', () => model);
      const before = settledGpuBytes();
      const fresh = build(variant);
      await train(fresh, fixture.data(), { epochs: 1, batchSize: 16, seed: 5 });
      fresh.dispose();
      expect(settledGpuBytes()).toBe(before);
      model.dispose();
    });
  }
});
