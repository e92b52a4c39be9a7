import { drawSamples, SeededRandom } from '@vaekit/core';
import { expect, it } from 'vitest';
import { allFinite } from '../compare.js';
import { firstOutsideRange } from '../declared-likelihood.js';
import { take } from '../take.js';
import { DRAWS, type SamplerPairFixture } from './pair-fixture.js';
import { skipUnlessSupported } from './supported.js';

/** What a fitted sampler draws: codes of the model's latent shape, pictures in the likelihood's range, seeded. */
export function defineSamplerDrawChecks(p: SamplerPairFixture): void {
  it('fits with its test settings and draws finite codes of shape [n, ...latentShape] (for a supported pair)', async (ctx) => {
    skipUnlessSupported(p, ctx.skip);
    const model = p.model.model();
    const sampler = await p.fitted();
    expect(sampler.className, 'the fitted sampler names its registered class').toBe(p.sampler.className);
    expect([...sampler.latentShape]).toEqual([...model.latentShape]);
    // Read (and so disposed) before any assertion, so a failed one leaves no tensor to the leak check.
    const codes = sampler.sampleLatents(model, DRAWS, new SeededRandom(1));
    const shape = codes.shape;
    const values = await take(codes);
    expect(shape).toEqual([DRAWS, ...model.latentShape]);
    expect(allFinite(values), `codes ${Array.from(values.slice(0, 8))}…`).toBe(true);
  });

  it("draws samples through the model of shape [n, ...inputShape], in the range of its likelihood's mean (for a supported pair)", async (ctx) => {
    skipUnlessSupported(p, ctx.skip);
    const model = p.model.model();
    const samples = drawSamples(model, await p.fitted(), DRAWS, new SeededRandom(2));
    const shape = samples.shape;
    const values = await take(samples);
    expect(shape).toEqual([DRAWS, ...model.inputShape]);
    expect(allFinite(values)).toBe(true);
    expect(firstOutsideRange(p.model.likelihood().support, values)).toBeUndefined();
  });

  it('draws the same codes and samples under the same seed, and other codes under another (for a supported pair)', async (ctx) => {
    skipUnlessSupported(p, ctx.skip);
    const model = p.model.model();
    const sampler = await p.fitted();
    const codes = (seed: number) => take(sampler.sampleLatents(model, DRAWS, new SeededRandom(seed)));
    const samples = (seed: number) => take(drawSamples(model, sampler, DRAWS, new SeededRandom(seed)));
    const [first, again, other] = [await codes(3), await codes(3), await codes(4)];
    expect(Array.from(again), 'codes under seed 3, twice').toEqual(Array.from(first));
    expect(Array.from(other), 'codes under seeds 3 and 4').not.toEqual(Array.from(first));
    expect(Array.from(await samples(5)), 'samples under seed 5, twice').toEqual(Array.from(await samples(5)));
  });
}
