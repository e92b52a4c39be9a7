import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CorruptFileError,
  deserializeSampler,
  drawSamples,
  getSampler,
  listSamplers,
  PriorSampler,
  registerSampler,
  SeededRandom,
  serializeSampler,
  UnknownSamplerError,
  type LatentSampler,
  type NamedVariable,
  type SamplerConfig,
  type SamplerDefinition,
  type VaeModel,
} from '../src/index.js';
import { linearVae } from './helpers/linear-vae.js';

/** A sampler with one fitted weight: codes are N(shift, I). Enough to exercise the registry and the file. */
class ShiftSampler implements LatentSampler {
  readonly className = 'ShiftTestSampler';
  readonly latentShape: readonly number[];
  readonly shift: tf.Variable;

  constructor(latentShape: readonly number[], shift: number) {
    this.latentShape = [...latentShape];
    this.shift = tf.tidy(() => tf.variable(tf.fill([...latentShape], shift)));
  }

  getConfig(): SamplerConfig {
    return { className: this.className, latentShape: [...this.latentShape] };
  }

  summary(): string {
    return 'the posterior means plus a constant shift';
  }

  sampleLatents(_model: VaeModel, n: number, rng: SeededRandom): tf.Tensor {
    return tf.tidy(() => tf.add(rng.normal([n, ...this.latentShape]), this.shift));
  }

  variables(): NamedVariable[] {
    return [{ name: 'shift', variable: this.shift, trainable: false }];
  }

  dispose(): void {
    this.shift.dispose();
  }
}

const SHIFT: SamplerDefinition = {
  className: 'ShiftTestSampler',
  name: 'shift-test',
  description: 'codes from N(shift, I)',
  unsupportedReason: () => undefined,
  fit: async (model) => new ShiftSampler(model.latentShape, 2),
  create: (config) => new ShiftSampler(config.latentShape, 0),
};

const REGISTRY_KEY = Symbol.for('vaekit.sampler-registry');
afterEach(() => {
  (globalThis as { [REGISTRY_KEY]?: Map<string, SamplerDefinition> })[REGISTRY_KEY]?.delete(SHIFT.className);
});

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the sampler registry', () => {
  it('finds a sampler by short name and by className, and lists the core prior sampler', () => {
    registerSampler(SHIFT);
    expect(getSampler('shift-test')).toBe(SHIFT);
    expect(getSampler('ShiftTestSampler')).toBe(SHIFT);
    expect(listSamplers().map((s) => s.name)).toContain('prior');
  });

  it('names the registered samplers when asked for an unknown one', () => {
    const error = (() => {
      try {
        getSampler('nonesuch');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(UnknownSamplerError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/unknown sampler 'nonesuch'.*prior \(PriorSampler\)/);
  });

  it('refuses a second sampler under a taken name unless it is the same package', () => {
    registerSampler({ ...SHIFT, source: '@acme/samplers' });
    expect(() => registerSampler({ ...SHIFT, className: 'OtherShift' })).toThrow(/'shift-test' .* already registered by @acme\/samplers/);
    registerSampler({ ...SHIFT, description: 'second copy', source: '@acme/samplers' });
    expect(getSampler('shift-test').description).toBe(SHIFT.description);
    expect(() => registerSampler({ ...SHIFT, name: 'Bad Name' })).toThrow(/invalid sampler name/);
  });
});

describe('sampler files', () => {
  it('round-trips a fitted sampler: same config, same draws, no tensors left behind', async () => {
    registerSampler(SHIFT);
    const model = linearVae(6, 3);
    const before = tf.memory().numTensors;
    const fitted = await SHIFT.fit(model, { train: undefined as never });
    const bytes = await serializeSampler(fitted);
    const loaded = await deserializeSampler(bytes);
    expect(loaded.getConfig()).toEqual(fitted.getConfig());
    const a = fitted.sampleLatents(model, 5, new SeededRandom(7));
    const b = loaded.sampleLatents(model, 5, new SeededRandom(7));
    expect(await b.array()).toEqual(await a.array());
    expect(tf.tidy(() => tf.mean(a).arraySync())).toBeGreaterThan(1);
    tf.dispose([a, b]);
    fitted.dispose();
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('refuses a flipped byte, another kind of file and an unregistered class, leaving nothing behind', async () => {
    registerSampler(SHIFT);
    const model = linearVae(6, 3);
    const fitted = await SHIFT.fit(model, { train: undefined as never });
    const bytes = await serializeSampler(fitted);
    fitted.dispose();
    const before = tf.memory().numTensors;
    const flipped = bytes.slice();
    flipped[flipped.length - 3]! ^= 0x10;
    await expect(deserializeSampler(flipped, 'g.vaekit')).rejects.toSatisfy((e: unknown) => CorruptFileError.isInstance(e));
    await expect(deserializeSampler(bytes.slice(0, bytes.length - 5), 'g.vaekit')).rejects.toThrow(/g\.vaekit/);
    (globalThis as { [REGISTRY_KEY]?: Map<string, SamplerDefinition> })[REGISTRY_KEY]?.delete(SHIFT.className);
    await expect(deserializeSampler(bytes)).rejects.toSatisfy((e: unknown) => UnknownSamplerError.isInstance(e));
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('drawing pictures through a sampler', () => {
  it('decodes the sampler\'s codes with the model, and refuses a sampler of another latent shape', () => {
    const model = linearVae(6, 3);
    const sampler = new ShiftSampler([3], 0);
    const pictures = drawSamples(model, sampler, 4, new SeededRandom(1));
    expect(pictures.shape).toEqual([4, 6]);
    pictures.dispose();
    const wrong = new ShiftSampler([5], 0);
    expect(() => drawSamples(model, wrong, 4, new SeededRandom(1))).toThrow(/draws latents of shape \[5\].*decodes latents of shape \[3\]/);
    tf.dispose([sampler.shift, wrong.shift]);
    model.dispose();
  });

  it('the prior sampler draws the model\'s own prior codes, and says so when a model exposes none', async () => {
    const model = linearVae(6, 3);
    const withPrior = Object.assign(Object.create(model) as VaeModel, {
      samplePrior: (n: number, rng: SeededRandom) => rng.normal([n, 3]),
    });
    const prior = await getSampler('prior').fit(withPrior, { train: undefined as never });
    expect(prior).toBeInstanceOf(PriorSampler);
    const a = prior.sampleLatents(withPrior, 3, new SeededRandom(4));
    const b = new SeededRandom(4).normal([3, 3]);
    expect(await a.array()).toEqual(await b.array());
    tf.dispose([a, b]);
    expect(getSampler('prior').unsupportedReason(model)).toMatch(/does not expose its prior's codes/);
    await expect(getSampler('prior').fit(model, { train: undefined as never })).rejects.toThrow(/samplePrior/);
    model.dispose();
  });
});
