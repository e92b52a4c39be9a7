import * as tf from '@tensorflow/tfjs-core';
import { deserializeSampler, drawSamples, SeededRandom, serializeSampler, type LatentSampler, type VaeModel } from '@vaekit/core';
import { expect, it } from 'vitest';
import { build } from '../cases.js';
import { take } from '../take.js';
import { DRAWS, type SamplerPairFixture } from './pair-fixture.js';
import { settledGpuBytes } from './settled-gpu-bytes.js';
import { skipUnlessSupported } from './supported.js';

/** Draws codes and samples, and saves and loads the sampler: everything a sampler's user does, read and disposed. */
async function exercise(model: VaeModel, sampler: LatentSampler): Promise<void> {
  await take(sampler.sampleLatents(model, DRAWS, new SeededRandom(8)));
  await take(drawSamples(model, sampler, DRAWS, new SeededRandom(9)));
  (await deserializeSampler(await serializeSampler(sampler))).dispose();
}

/** Memory back where it was once a fitted sampler is disposed; a clear refusal for a model it cannot serve. */
export function defineSamplerLifecycleChecks(p: SamplerPairFixture): void {
  it('leaks no tensors across fit, draws, save and load, and disposal (for a supported pair)', async (ctx) => {
    skipUnlessSupported(p, ctx.skip);
    // The fit the other checks shared (or a fresh one when this check runs alone), from the count before it.
    const sampler = await p.fitted();
    const before = p.tensorsBeforeFit()!;
    await exercise(p.model.model(), sampler);
    await p.release();
    expect(tf.memory().numTensors, 'live tensors against before the fit').toBe(before);
  });

  if (p.model.backend === 'webgpu') {
    it('frees its GPU buffers: bytes in GPU buffers return to where they were across a fresh model, fit, draws, save and load, and disposal (for a supported pair)', async (ctx) => {
      skipUnlessSupported(p, ctx.skip);
      // A fresh model, disposed at the end: a weight the suite's model has not used yet is uploaded to the
      // GPU on first use, which would look like a leak if the shared model were measured.
      const before = settledGpuBytes();
      const model = build(p.model.variant);
      try {
        const sampler = await p.sampler.fit(model, p.fitOptions());
        try {
          await exercise(model, sampler);
        } finally {
          sampler.dispose();
        }
      } finally {
        model.dispose();
      }
      expect(settledGpuBytes(), 'bytes in GPU buffers against before the model was built').toBe(before);
    });
  }

  it('refuses to fit a model it cannot serve, with the reason in the error (for an unsupported pair)', async (ctx) => {
    const reason = p.unsupportedReason();
    if (reason === undefined) return ctx.skip(`${p.label} is supported`);
    const before = tf.memory().numTensors;
    const error = await p.sampler.fit(p.model.model(), p.fitOptions()).then(
      (fitted) => {
        fitted.dispose();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(error, `${p.label}: fit resolved though the sampler reports "${reason}"`).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(reason);
    expect(tf.memory().numTensors).toBe(before);
  });
}
