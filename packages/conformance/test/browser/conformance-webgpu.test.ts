// The conformance suite on tfjs's WebGPU backend in headless Chromium (SwiftShader here, with the flags in
// scripts/ensure-chromium.mjs), for every registered variant and, with Vae and VqVae, every registered
// likelihood, each with every registered sampler. WebGPU is required: when the page has no adapter,
// selecting it throws with the reason and every test here fails.
//
// The suite's leak check counts tensors (tf.memory().numTensors), which is tfjs-core's bookkeeping and exact
// on webgpu too. What it cannot see is the GPU side: webgpu releases a disposed tensor's buffer only once the
// commands using it are submitted. The extra check below submits the queue and then compares the bytes held
// in GPU buffers (tf.memory().numBytesInGPU) with the start. The suite's sampler leak checks measure the same
// bytes on webgpu, from before each fit to after its sampler is disposed.
import '@vaekit/variants';
import { useBackend } from '@vaekit/backends';
import { train } from '@vaekit/core';
import { describe, expect, it } from 'vitest';

import { build } from '../../src/cases.js';
import { defineConformanceSuite } from '../../src/index.js';
import { settledGpuBytes } from '../../src/sampler-checks/settled-gpu-bytes.js';
import { createVariantFixture } from '../../src/variant-checks/fixture.js';
import { conformanceCases } from '../helpers/cases.js';

const variants = conformanceCases();
defineConformanceSuite({ backend: 'webgpu', variants });

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
