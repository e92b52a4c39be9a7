import { deserializeSampler, drawSamples, SeededRandom, serializeSampler } from '@vaekit/core';
import { expect, it } from 'vitest';
import { take } from '../take.js';
import { DRAWS, measureMemory, type SamplerPairFixture } from './pair-fixture.js';
import { skipUnlessSupported } from './supported.js';

/** Memory back where it was once a fitted sampler is disposed; a clear refusal for a model it cannot serve. */
export function defineSamplerLifecycleChecks(p: SamplerPairFixture): void {
  const gpu = p.model.backend === 'webgpu' ? ' and GPU bytes' : '';
  it(`leaks no tensors${gpu} across fit, draws, save and load, and disposal (for a supported pair)`, async (ctx) => {
    skipUnlessSupported(p, ctx.skip);
    const model = p.model.model();
    // The fit the other checks shared (or a fresh one when this check runs alone), from the memory before it.
    const sampler = await p.fitted();
    const before = p.markBeforeFit()!;
    await take(sampler.sampleLatents(model, DRAWS, new SeededRandom(8)));
    await take(drawSamples(model, sampler, DRAWS, new SeededRandom(9)));
    (await deserializeSampler(await serializeSampler(sampler))).dispose();
    await p.release();
    const after = measureMemory(p.model.backend);
    expect(after.tensors, 'live tensors against before the fit').toBe(before.tensors);
    if (before.gpuBytes !== undefined) expect(after.gpuBytes, 'bytes in GPU buffers against before the fit').toBe(before.gpuBytes);
  });

  it('refuses to fit a model it cannot serve, with the reason in the error (for an unsupported pair)', async (ctx) => {
    const reason = p.unsupportedReason();
    if (reason === undefined) return ctx.skip(`${p.label} is supported`);
    const before = measureMemory(p.model.backend);
    const error = await p.sampler.fit(p.model.model(), p.fitOptions()).then(
      (fitted) => {
        fitted.dispose();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(error, `${p.label}: fit resolved though the sampler reports "${reason}"`).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(reason);
    expect(measureMemory(p.model.backend).tensors).toBe(before.tensors);
  });
}
