import * as tf from '@tensorflow/tfjs-core';
import {
  compiledStepSupport,
  decodeCheckpoint,
  evaluate,
  memoryCheckpointStore,
  train,
  type CompileEvent,
  type Dataset,
  type LossContext,
  type LossTerms,
  type TrainOptions,
  type VaeModel,
} from '@vaekit/core';
import { createVae } from '@vaekit/variants';
import { beforeAll, describe, expect, it } from 'vitest';
import { binaryData, useNativeWithCompiledSteps } from './helpers/native-compiled.js';

beforeAll(useNativeWithCompiledSteps);


/** A VAE whose loss is replaced: for models a tracer must refuse. */
function withLoss(inner: VaeModel, loss: (x: tf.Tensor, context: LossContext, base: () => LossTerms) => LossTerms): VaeModel {
  return {
    className: inner.className,
    inputShape: inner.inputShape,
    latentShape: inner.latentShape,
    getConfig: () => inner.getConfig(),
    encode: (x) => inner.encode(x),
    decode: (z) => inner.decode(z),
    decodeMean: (z) => inner.decodeMean(z),
    reconstruct: (x) => inner.reconstruct(x),
    sample: (n, rng) => inner.sample(n, rng),
    loss: (x, context) => loss(x, context, () => inner.loss(x, context)),
    logWeights: (x, k, rng) => inner.logWeights(x, k, rng),
    variables: () => inner.variables(),
    dispose: () => inner.dispose(),
  };
}

interface Run {
  readonly losses: number[];
  readonly weights: Float32Array[];
  readonly events: CompileEvent[];
}

async function trainRun(make: () => VaeModel, data: Dataset, options: Omit<TrainOptions, 'onCompile' | 'onStep'>): Promise<Run> {
  const model = make();
  const losses: number[] = [];
  const events: CompileEvent[] = [];
  try {
    await train(model, data, { ...options, onCompile: (e) => events.push(e), onStep: (e) => losses.push(e.terms.total!) });
    const weights = await Promise.all(model.variables().map(async (v) => Float32Array.from(await v.variable.data())));
    return { losses, weights, events };
  } finally {
    model.dispose();
  }
}

const statuses = (events: readonly CompileEvent[]): string[] => events.map((e) => (e.status === 'compiled' ? `compiled ${e.batchShape[0]}` : `eager: ${e.reason}`));

describe('compiled training steps on native', () => {
  const small = binaryData(64, 12);
  const smallVae = () => createVae({ inputShape: [12], latentDim: 3, architecture: { type: 'mlp', hiddenUnits: [10] } });

  it('W1 (784-512-512-32 VAE, batch 128): 200 compiled steps end within 1e-4 relative of 200 eager steps', async () => {
    const data = binaryData(128 * 25, 784);
    const options = { epochs: 8, batchSize: 128, seed: 3 } as const;
    const compiled = await trainRun(() => createVae({ latentDim: 32 }), data, { ...options, compile: 'auto' });
    const eager = await trainRun(() => createVae({ latentDim: 32 }), data, { ...options, compile: false });
    expect(statuses(compiled.events)).toEqual(['compiled 128']);
    expect(compiled.losses).toHaveLength(200);
    const last = compiled.losses.at(-1)!;
    const reference = eager.losses.at(-1)!;
    expect(Math.abs(last - reference) / Math.abs(reference), `last loss ${last} vs ${reference}`).toBeLessThanOrEqual(1e-4);
    const worst = Math.max(...compiled.losses.map((l, i) => Math.abs(l - eager.losses[i]!) / Math.abs(eager.losses[i]!)));
    expect(worst, 'worst relative difference over the 200 steps').toBeLessThanOrEqual(1e-4);
  });

  it('traces the last, smaller batch as a function of its own and still matches eager', async () => {
    const data = binaryData(40, 12);
    const compiled = await trainRun(smallVae, data, { epochs: 3, batchSize: 16, seed: 1, compile: 'auto' });
    const eager = await trainRun(smallVae, data, { epochs: 3, batchSize: 16, seed: 1, compile: false });
    expect(statuses(compiled.events)).toEqual(['compiled 16', 'compiled 8']);
    compiled.losses.forEach((l, i) => expect(Math.abs(l - eager.losses[i]!)).toBeLessThanOrEqual(1e-4 * Math.abs(eager.losses[i]!)));
  });

  it('compiles with XLA too, within the same tolerance of eager', async () => {
    const xla = await trainRun(smallVae, small, { epochs: 3, batchSize: 16, seed: 2, compile: 'xla' });
    const eager = await trainRun(smallVae, small, { epochs: 3, batchSize: 16, seed: 2, compile: false });
    expect(statuses(xla.events)).toEqual(['compiled 16']);
    xla.losses.forEach((l, i) => expect(Math.abs(l - eager.losses[i]!)).toBeLessThanOrEqual(1e-4 * Math.abs(eager.losses[i]!)));
  });

  for (const compile of ['auto', false] as const) {
    it(`resumes exactly (compile ${compile}): 2 epochs at once equal 1 epoch, a checkpoint and 1 more, bit for bit`, async () => {
      const whole = await trainRun(smallVae, small, { epochs: 2, batchSize: 16, seed: 5, compile });
      const store = memoryCheckpointStore();
      const first = await trainRun(smallVae, small, { epochs: 1, batchSize: 16, seed: 5, compile, checkpoint: store });
      const rest = await trainRun(smallVae, small, { epochs: 2, batchSize: 16, seed: 5, compile, checkpoint: store, resume: true });
      expect([...first.losses, ...rest.losses]).toEqual(whole.losses);
      rest.weights.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(whole.weights[i]!)));
      const saved = await decodeCheckpoint((await store.load())!);
      expect(saved.state.step).toBe(8);
    });
  }

  it('falls back to eager steps, with the reason, for a model that reads a tensor in the middle of its step', async () => {
    const reading = () =>
      withLoss(smallVae(), (_x, _context, base) => {
        const terms = base();
        // A JavaScript decision on a computed value: the function could not make it.
        if (terms.kl.dataSync()[0]! < 0) throw new Error('negative KL');
        return terms;
      });
    const run = await trainRun(reading, small, { epochs: 1, batchSize: 16, seed: 1 });
    expect(run.events).toHaveLength(1);
    expect(statuses(run.events)[0]).toMatch(/^eager: the step reads the output of op \d+ \(\w+\) back to JavaScript in the middle of the step/);
    const eager = await trainRun(reading, small, { epochs: 1, batchSize: 16, seed: 1, compile: false });
    expect(run.losses).toEqual(eager.losses);
  });

  it('falls back for a model that branches in JavaScript on the KL weight', async () => {
    const branching = () =>
      withLoss(smallVae(), (_x, context, base) => {
        const terms = base();
        if (context.klWeight < 0.5) return terms;
        return { ...terms, total: tf.tidy(() => tf.mul(terms.total, 1.5)) as tf.Scalar };
      });
    const run = await trainRun(branching, small, { epochs: 1, batchSize: 16, seed: 1 });
    expect(statuses(run.events)).toEqual([expect.stringMatching(/^eager: the step's operations depend on .* through JavaScript/)]);
  });

  it('falls back for a model that computes from the KL weight in JavaScript', async () => {
    const scaled = () =>
      withLoss(smallVae(), (_x, context, base) => {
        const terms = base();
        return { ...terms, total: tf.tidy(() => tf.add(terms.total, tf.mul(2 * context.klWeight, terms.kl))) as tf.Scalar };
      });
    const run = await trainRun(scaled, small, { epochs: 1, batchSize: 16, seed: 1, klSchedule: { type: 'linear', from: 0, to: 1, steps: 10 } });
    expect(statuses(run.events)).toEqual([expect.stringMatching(/changes from step to step, and it is not a draw .* compute it with tensor ops/)]);
  });

  it('follows a KL warm-up exactly: the weight is an input of the function, not a constant', async () => {
    const options = { epochs: 3, batchSize: 16, seed: 7, klSchedule: { type: 'linear', from: 0, to: 1, steps: 9 } } as const;
    const compiled = await trainRun(smallVae, small, { ...options, compile: 'auto' });
    const eager = await trainRun(smallVae, small, { ...options, compile: false });
    expect(statuses(compiled.events)).toEqual(['compiled 16']);
    compiled.losses.forEach((l, i) => expect(Math.abs(l - eager.losses[i]!)).toBeLessThanOrEqual(1e-5 * Math.abs(eager.losses[i]!)));
  });

  it('compiles the IWAE log-weights of evaluate, with the same bound as op by op', async () => {
    const model = smallVae();
    try {
      const events: CompileEvent[] = [];
      const before = tf.memory().numTensors;
      const compiled = await evaluate(model, small, { k: 100, kChunk: 32, batchSize: 24, seed: 4, onCompile: (e) => events.push(e) });
      const eager = await evaluate(model, small, { k: 100, kChunk: 32, batchSize: 24, seed: 4, compile: false });
      expect(tf.memory().numTensors).toBe(before);
      // Batches of 24, 24 and 16; chunks of 32 and the last 4 of k = 100: one function per pair.
      expect(statuses(events)).toEqual(['compiled 24', 'compiled 24', 'compiled 16', 'compiled 16']);
      expect(Math.abs(compiled.iwae!.bound - eager.iwae!.bound)).toBeLessThanOrEqual(1e-5 * Math.abs(eager.iwae!.bound));
      expect(compiled.elbo).toBe(eager.elbo);
    } finally {
      model.dispose();
    }
  });

  it('never commits a non-finite compiled update: steps on NaN data are skipped and the weights stay as they were', async () => {
    const poisoned: Dataset = {
      ...small,
      batch(indices) {
        return tf.tidy(() => tf.concat([tf.fill([1, 12], Number.NaN), small.batch(indices.slice(1), 0)]));
      },
    };
    const model = smallVae();
    try {
      const before = await Promise.all(model.variables().map(async (v) => Float32Array.from(await v.variable.data())));
      const events: CompileEvent[] = [];
      const result = await train(model, poisoned, {
        epochs: 1,
        batchSize: 16,
        onNonFinite: 'skip',
        maxSkippedSteps: 10,
        onCompile: (e) => events.push(e),
      });
      expect(statuses(events)).toEqual(['compiled 16']);
      expect(result.history[0]!.skippedSteps).toBe(4);
      const after = await Promise.all(model.variables().map(async (v) => Float32Array.from(await v.variable.data())));
      after.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(before[i]!)));
    } finally {
      model.dispose();
    }
  });

  it('says once, in one line, why steps run op by op on an addon without the binding patch', async () => {
    const backend = tf.backend() as unknown as { binding: object };
    const patched = backend.binding;
    // tfjs-node's own addon: the same binding without the three functions the patch adds.
    const stock = Object.create(patched) as object;
    for (const name of ['registerGraphAsFunction', 'hasFunction', 'removeFunction']) Object.defineProperty(stock, name, { value: undefined });
    backend.binding = stock;
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
    try {
      expect(compiledStepSupport()).toEqual({ available: false, reason: expect.stringMatching(/without vaekit's function patch; run `npx vaekit-native-setup`/) });
      for (let i = 0; i < 2; i++) {
        const model = smallVae();
        await train(model, small, { epochs: 1, batchSize: 16 }).finally(() => model.dispose());
      }
    } finally {
      backend.binding = patched;
      console.warn = warn;
    }
    expect(warnings).toEqual([expect.stringMatching(/^vaekit: compiled steps are off, training runs op by op: this tfjs-node addon was built without/)]);
  });

  it('leaves no tensors and no registered function behind', async () => {
    const before = tf.memory().numTensors;
    await trainRun(smallVae, small, { epochs: 2, batchSize: 16, seed: 1, compile: 'auto' });
    expect(tf.memory().numTensors).toBe(before);
    const binding = (tf.backend() as unknown as { binding: { hasFunction(name: string): boolean } }).binding;
    // Functions are numbered from 1 in this process; none of those made so far may still be registered.
    for (let i = 1; i <= 40; i++) expect(binding.hasFunction(`vaekit_step_${i}`), `vaekit_step_${i}`).toBe(false);
  });
});
