import { compiledStepSupport, evaluate, train, type CompileEvent } from '@vaekit/core';
import { backendTolerance } from '@vaekit/backends';
import { expect, it } from 'vitest';
import { build } from '../cases.js';
import { worstExcess } from '../compare.js';
import type { VariantFixture } from './fixture.js';

const weightsOf = (model: ReturnType<typeof build>): Promise<Float32Array[]> =>
  Promise.all(model.variables().map((v) => v.variable.data().then((d) => Float32Array.from(d))));

/** Training works, repeats exactly under a seed, and compiled steps match eager ones. */
export function defineTrainingChecks(f: VariantFixture): void {
  it('lowers the loss when trained on a fixed tiny data set', async () => {
    const fresh = build(f.variant);
    try {
      const before = await evaluate(fresh, f.data(), { seed: 9 });
      await train(fresh, f.data(), { epochs: 15, batchSize: 16, seed: 3, optimizer: { type: 'adam', learningRate: 1e-2 } });
      const after = await evaluate(fresh, f.data(), { seed: 9 });
      expect(after.elbo, `ELBO ${before.elbo} -> ${after.elbo}`).toBeGreaterThan(before.elbo + 0.1 * Math.abs(before.elbo));
    } finally {
      fresh.dispose();
    }
  });

  it('repeats a seeded training run exactly', async () => {
    const runs: Float32Array[][] = [];
    for (let r = 0; r < 2; r++) {
      const fresh = build(f.variant);
      try {
        await train(fresh, f.data(), { epochs: 1, batchSize: 16, seed: 4 });
        runs.push(await weightsOf(fresh));
      } finally {
        fresh.dispose();
      }
    }
    runs[0]!.forEach((values, i) => expect(Array.from(values)).toEqual(Array.from(runs[1]![i]!)));
  });

  const nativeOnly = f.backend === 'native' ? '' : ` — skipped: compiled steps are native-only, this is ${f.backend}`;
  it(`runs compiled steps that match eager steps over 20 steps${nativeOnly}`, async (ctx) => {
    if (f.backend !== 'native') {
      ctx.skip(`compiled steps are native-only, this is ${f.backend}`);
      return;
    }
    const support = compiledStepSupport();
    expect(support.available, `compiled steps are unavailable on native: ${support.reason}`).toBe(true);
    const batchSize = 16;
    const epochs = Math.ceil((20 * batchSize) / f.data().size);
    const run = async (compile: 'auto' | false) => {
      const fresh = build(f.variant);
      const losses: number[][] = [];
      const events: CompileEvent[] = [];
      try {
        await train(fresh, f.data(), {
          epochs,
          batchSize,
          seed: 12,
          compile,
          onCompile: (e) => events.push(e),
          onStep: (e) => losses.push(Object.values(e.terms)),
        });
        return { losses, weights: await weightsOf(fresh), events };
      } finally {
        fresh.dispose();
      }
    };
    const compiled = await run('auto');
    const eager = await run(false);
    expect(compiled.events.map((e) => (e.status === 'eager' ? `eager: ${e.reason}` : 'compiled'))).toEqual(['compiled']);
    expect(compiled.losses.length).toBeGreaterThanOrEqual(20);
    const { rtol, atol } = backendTolerance(f.backend);
    // Each step's loss terms, and every weight after the last step, within the backend's tolerance.
    const lossExcess = worstExcess(Float32Array.from(compiled.losses.flat()), Float32Array.from(eager.losses.flat()), rtol, atol);
    expect(lossExcess, `loss terms, worst excess over rtol ${rtol}, atol ${atol}`).toBeLessThanOrEqual(0);
    compiled.weights.forEach((values, i) => {
      const excess = worstExcess(values, eager.weights[i]!, rtol * 10, atol * 10);
      expect(excess, `weight ${i} after ${compiled.losses.length} steps`).toBeLessThanOrEqual(0);
    });
  });
}
