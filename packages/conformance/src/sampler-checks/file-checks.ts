import * as tf from '@tensorflow/tfjs-core';
import { CorruptFileError, deserializeSampler, drawSamples, SeededRandom, serializeSampler, type LatentSampler } from '@vaekit/core';
import { backendTolerance } from '@vaekit/backends';
import { expect, it } from 'vitest';
import { worstExcess } from '../compare.js';
import { take } from '../take.js';
import { DRAWS, type SamplerPairFixture } from './pair-fixture.js';
import { skipUnlessSupported } from './supported.js';

/** A sampler file: saved whole, loaded to draw as the original did, and refused when damaged. */
export function defineSamplerFileChecks(p: SamplerPairFixture): void {
  it('round-trips through its file: the loaded sampler has the same config and draws as the original under a seed (for a supported pair)', async (ctx) => {
    skipUnlessSupported(p, ctx.skip);
    const model = p.model.model();
    const sampler = await p.fitted();
    const loaded = await deserializeSampler(await serializeSampler(sampler), `${p.label} sampler file`);
    try {
      expect(loaded.className).toBe(sampler.className);
      expect(loaded.getConfig()).toEqual(sampler.getConfig());
      expect(loaded.summary()).toBe(sampler.summary());
      expect(sampler.summary()).toMatch(/^[^\n]+$/);
      expect(loaded.variables().map((v) => v.name)).toEqual(sampler.variables().map((v) => v.name));
      // Codes and the pictures decoded from them: a weight restored from a file may enter a GPU shader
      // another way than the fitted one did, so the comparison allows the backend's tolerance.
      const draws = (s: LatentSampler) =>
        take(
          tf.tidy(() =>
            tf.concat([
              tf.reshape(s.sampleLatents(model, DRAWS, new SeededRandom(6)), [-1]),
              tf.reshape(drawSamples(model, s, DRAWS, new SeededRandom(7)), [-1]),
            ]),
          ),
        );
      const [original, restored] = [await draws(sampler), await draws(loaded)];
      const { rtol, atol } = backendTolerance(p.model.backend);
      expect(worstExcess(restored, original, rtol, atol), `worst excess over rtol ${rtol}, atol ${atol}`).toBeLessThanOrEqual(0);
    } finally {
      loaded.dispose();
    }
  });

  it('refuses its file truncated or with a flipped byte with a CorruptFileError, leaving no tensor behind (for a supported pair)', async (ctx) => {
    skipUnlessSupported(p, ctx.skip);
    const bytes = await serializeSampler(await p.fitted());
    const before = tf.memory().numTensors;
    const damaged: [string, Uint8Array][] = [
      ['cut to 8 bytes', bytes.slice(0, 8)],
      ['cut in half', bytes.slice(0, Math.floor(bytes.length / 2))],
      ['missing its last byte', bytes.slice(0, bytes.length - 1)],
      ...[0, Math.floor(bytes.length / 3), Math.floor((2 * bytes.length) / 3), bytes.length - 1].map((at): [string, Uint8Array] => {
        const flipped = bytes.slice();
        flipped[at]! ^= 0x04;
        return [`with byte ${at} of ${bytes.length} flipped`, flipped];
      }),
    ];
    for (const [how, file] of damaged) {
      const outcome = await deserializeSampler(file, 'damaged sampler file').then(
        (loaded) => {
          loaded.dispose();
          return 'loaded';
        },
        (error: unknown) => (CorruptFileError.isInstance(error) ? 'CorruptFileError' : `${(error as Error).name}: ${(error as Error).message}`),
      );
      expect(outcome, `the file ${how}`).toBe('CorruptFileError');
    }
    expect(tf.memory().numTensors).toBe(before);
  });
}
