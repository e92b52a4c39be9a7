import * as tf from '@tensorflow/tfjs-core';
import {
  compiledStepSupport,
  decodeCheckpoint,
  deserializeModel,
  evaluate,
  isGaussianLatentModel,
  memoryCheckpointStore,
  prototypeDataset,
  SeededRandom,
  serializeModel,
  train,
  type CompileEvent,
  type LossTerms,
  type VaeModel,
} from '@vaekit/core';
import { backendTolerance, currentBackendInfo, useBackend, type BackendName } from '@vaekit/backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, hasClosedFormKl, registeredVariantCases, type VariantCase } from './cases.js';
import { directionalDerivatives } from './checks/gradients.js';
import { compareKl } from './checks/kl.js';
import { allFinite, worstExcess } from './compare.js';
import { take } from './take.js';

export interface ConformanceOptions {
  /** The backend every test in this suite runs on; selecting it must succeed or the suite fails. */
  readonly backend: BackendName;
  /** Models under test. Default: every registered model with its registered test config. */
  readonly variants?: readonly VariantCase[];
  /** The backend results are compared against for cross-backend agreement. Default 'cpu'. */
  readonly reference?: BackendName;
}

const BATCH = 8;

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const standardError = (values: readonly number[]): number => {
  const m = mean(values);
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1) / values.length);
};

/**
 * Registers the vaekit conformance tests for one backend: one describe block per model, the same
 * checks for every model and backend. Nothing is skipped silently: a check that does not apply is
 * registered as skipped with its reason in the test name.
 */
export function defineConformanceSuite(options: ConformanceOptions): void {
  const reference = options.reference ?? 'cpu';
  describe(`conformance on ${options.backend}`, () => {
    beforeAll(async () => {
      await useBackend(options.backend);
    });

    it('runs on the selected backend', () => {
      expect(currentBackendInfo().name).toBe(options.backend);
    });

    const variants = options.variants ?? registeredVariantCases();
    it('has models to certify', () => {
      expect(variants.length).toBeGreaterThan(0);
    });
    for (const variant of variants) defineVariantChecks(variant, options.backend, reference);
  });
}

function defineVariantChecks(variant: VariantCase, backend: BackendName, reference: BackendName): void {
  describe(variant.name, () => {
    let model: VaeModel;
    const data = (() => {
      // The shape is known only from the config; build the data lazily from the model.
      let cached: ReturnType<typeof prototypeDataset> | undefined;
      return () => (cached ??= prototypeDataset(model.inputShape));
    })();
    const batch = (): tf.Tensor => data().batch(Array.from({ length: BATCH }, (_, i) => i), 0);
    const tolerance = () => backendTolerance(backend);
    const lossTerms = (m: VaeModel, x: tf.Tensor, seed: number): LossTerms =>
      m.loss(x, { rng: new SeededRandom(seed), step: 0, klWeight: 1, freeBits: 0, training: false });

    beforeAll(async () => {
      await useBackend(backend);
      model = build(variant);
    });
    afterAll(() => model?.dispose());

    it('produces outputs of the declared shapes and ranges', async () => {
      const x = batch();
      try {
        const code = model.encode(x);
        expect(code.shape).toEqual([BATCH, ...model.latentShape]);
        const recon = model.reconstruct(x);
        expect(recon.shape).toEqual([BATCH, ...model.inputShape]);
        const samples = model.sample(5, new SeededRandom(1));
        expect(samples.shape).toEqual([5, ...model.inputShape]);
        const logWeights = model.logWeights(x, 3, new SeededRandom(2));
        expect(logWeights.shape).toEqual([3, BATCH]);
        const params = model.decode(code);
        expect(params.shape[0]).toBe(BATCH);
        const [reconValues, sampleValues, weightValues] = await Promise.all([take(recon), take(samples), take(logWeights)]);
        tf.dispose([code, params]);
        for (const values of [reconValues, sampleValues, weightValues]) expect(allFinite(values)).toBe(true);
        if (data().binary) {
          // Bernoulli means are probabilities.
          expect(Math.min(...reconValues)).toBeGreaterThanOrEqual(0);
          expect(Math.max(...reconValues)).toBeLessThanOrEqual(1);
        }
      } finally {
        x.dispose();
      }
    });

    it('has importance log-weights that average to the ELBO (IWAE with k = 1 is the ELBO in expectation)', async () => {
      const x = batch();
      try {
        // E_q[log p(x, z) - log q(z|x)] = E_q[log p(x|z)] - KL: compare the batch mean of many log-weights with
        // many one-sample ELBO estimates from loss(), within four combined standard errors.
        const draws = 400;
        const weights = await take(model.logWeights(x, draws, new SeededRandom(31)));
        const weightMeans = Array.from({ length: draws }, (_, d) => mean(Array.from(weights.subarray(d * BATCH, (d + 1) * BATCH))));
        const elbos: number[] = [];
        for (let seed = 0; seed < 100; seed++) {
          const terms = lossTerms(model, x, 1000 + seed);
          const [reconstruction, kl] = await take(tf.stack([terms.reconstruction, terms.kl]));
          tf.dispose(Object.values(terms));
          elbos.push(-(reconstruction! + kl!));
        }
        const gap = Math.abs(mean(weightMeans) - mean(elbos));
        const se = Math.sqrt(standardError(weightMeans) ** 2 + standardError(elbos) ** 2);
        expect(gap, `log-weights ${mean(weightMeans)} vs ELBO ${mean(elbos)}`).toBeLessThanOrEqual(4 * se + 1e-3 * Math.abs(mean(elbos)));
      } finally {
        x.dispose();
      }
    });

    it('gives finite loss terms, with total, reconstruction and kl present', async () => {
      const x = batch();
      const terms = lossTerms(model, x, 3);
      x.dispose();
      expect(Object.keys(terms)).toEqual(expect.arrayContaining(['total', 'reconstruction', 'kl']));
      for (const [name, value] of Object.entries(terms)) {
        expect(value.rank, `${name} is a scalar`).toBe(0);
        const [v] = await take(value);
        expect(Number.isFinite(v), `${name} = ${v}`).toBe(true);
      }
    });

    it(`closed-form KL agrees with a Monte-Carlo estimate within 4 standard errors (needs capability closedFormKl)`, async (ctx) => {
      if (!isGaussianLatentModel(model) || !hasClosedFormKl(variant, model)) {
        ctx.skip(`${variant.name} declares no closed-form KL`);
        return;
      }
      const x = batch();
      const { closedForm, monteCarlo, standardError } = await compareKl(model, x, 4000, 5);
      x.dispose();
      closedForm.forEach((exact, i) => {
        expect(Math.abs(monteCarlo[i]! - exact), `example ${i}: MC ${monteCarlo[i]} vs ${exact}`).toBeLessThanOrEqual(
          4 * standardError[i]! + 1e-4,
        );
      });
    });

    it('has gradients that match finite differences along random directions (per declared target)', async () => {
      const x = batch();
      try {
        for (const seed of [21, 22, 23]) {
          for (const { target, analytic, numeric } of await directionalDerivatives(model, x, seed)) {
            const scale = Math.max(Math.abs(analytic), Math.abs(numeric));
            expect(
              Math.abs(analytic - numeric),
              `${target}, seed ${seed}: analytic ${analytic}, numeric ${numeric}`,
            ).toBeLessThanOrEqual(0.03 * scale + 5e-3);
          }
        }
      } finally {
        x.dispose();
      }
    });

    it('lowers the loss when trained on a fixed tiny data set', async () => {
      const fresh = build(variant);
      try {
        const before = await evaluate(fresh, data(), { seed: 9 });
        await train(fresh, data(), { epochs: 15, batchSize: 16, seed: 3, optimizer: { type: 'adam', learningRate: 1e-2 } });
        const after = await evaluate(fresh, data(), { seed: 9 });
        expect(after.elbo, `ELBO ${before.elbo} -> ${after.elbo}`).toBeGreaterThan(before.elbo + 0.1 * Math.abs(before.elbo));
      } finally {
        fresh.dispose();
      }
    });

    it('repeats a seeded training run exactly', async () => {
      const runs: Float32Array[][] = [];
      for (let r = 0; r < 2; r++) {
        const fresh = build(variant);
        try {
          await train(fresh, data(), { epochs: 1, batchSize: 16, seed: 4 });
          runs.push(await Promise.all(fresh.variables().map((v) => v.variable.data().then((d) => Float32Array.from(d)))));
        } finally {
          fresh.dispose();
        }
      }
      runs[0]!.forEach((values, i) => expect(Array.from(values)).toEqual(Array.from(runs[1]![i]!)));
    });

    it(`runs compiled steps that match eager steps over 20 steps${backend === 'native' ? '' : ` — skipped: compiled steps are native-only, this is ${backend}`}`, async (ctx) => {
      if (backend !== 'native') {
        ctx.skip(`compiled steps are native-only, this is ${backend}`);
        return;
      }
      const support = compiledStepSupport();
      expect(support.available, `compiled steps are unavailable on native: ${support.reason}`).toBe(true);
      const batchSize = 16;
      const epochs = Math.ceil((20 * batchSize) / data().size);
      const run = async (compile: 'auto' | false) => {
        const fresh = build(variant);
        const losses: number[][] = [];
        const events: CompileEvent[] = [];
        try {
          await train(fresh, data(), {
            epochs,
            batchSize,
            seed: 12,
            compile,
            onCompile: (e) => events.push(e),
            onStep: (e) => losses.push(Object.values(e.terms)),
          });
          const weights = await Promise.all(fresh.variables().map((v) => v.variable.data().then((d) => Float32Array.from(d))));
          return { losses, weights, events };
        } finally {
          fresh.dispose();
        }
      };
      const compiled = await run('auto');
      const eager = await run(false);
      expect(compiled.events.map((e) => (e.status === 'eager' ? `eager: ${e.reason}` : 'compiled'))).toEqual(['compiled']);
      expect(compiled.losses.length).toBeGreaterThanOrEqual(20);
      const { rtol, atol } = tolerance();
      // Each step's loss terms, and every weight after the last step, within the backend's tolerance.
      const lossExcess = worstExcess(Float32Array.from(compiled.losses.flat()), Float32Array.from(eager.losses.flat()), rtol, atol);
      expect(lossExcess, `loss terms, worst excess over rtol ${rtol}, atol ${atol}`).toBeLessThanOrEqual(0);
      compiled.weights.forEach((values, i) => {
        const excess = worstExcess(values, eager.weights[i]!, rtol * 10, atol * 10);
        expect(excess, `weight ${i} after ${compiled.losses.length} steps`).toBeLessThanOrEqual(0);
      });
    });

    it.skipIf(backend === reference)(
      `agrees with the ${reference} backend on the same weights and noise${backend === reference ? ` — skipped: ${backend} is the reference backend` : ''}`,
      async () => {
        const { rtol, atol } = tolerance();
        const measure = async (): Promise<Float32Array> => {
          const fresh = build(variant);
          const x = batch();
          try {
            const terms = lossTerms(fresh, x, 6);
            const code = fresh.encode(x);
            const values = await take(tf.concat([tf.stack(Object.values(terms)), tf.reshape(code, [-1])]));
            tf.dispose([...Object.values(terms), code]);
            return values;
          } finally {
            x.dispose();
            fresh.dispose();
          }
        };
        const here = await measure();
        await useBackend(reference);
        let there: Float32Array;
        try {
          there = await measure();
        } finally {
          await useBackend(backend);
        }
        const excess = worstExcess(here, there, rtol, atol);
        expect(excess, `worst excess over rtol ${rtol}, atol ${atol}`).toBeLessThanOrEqual(0);
      },
    );

    it('round-trips through save and load with identical outputs', async () => {
      const x = batch();
      const restored = await deserializeModel(await serializeModel(model));
      try {
        expect(restored.getConfig()).toEqual(model.getConfig());
        const outputs = (m: VaeModel): tf.Tensor =>
          tf.tidy(() => tf.concat([tf.stack(Object.values(lossTerms(m, x, 8))), tf.reshape(m.reconstruct(x), [-1])]));
        const [a, b] = await Promise.all([take(outputs(model)), take(outputs(restored))]);
        expect(Array.from(b)).toEqual(Array.from(a));
      } finally {
        restored.dispose();
        x.dispose();
      }
    });

    it('leaks no tensors across training with checkpoints, a resume, evaluation, save and load, and disposal', async () => {
      const before = tf.memory().numTensors;
      const store = memoryCheckpointStore();
      const options = { epochs: 2, batchSize: 16, seed: 5, checkpoint: store, checkpointEverySteps: 2, validation: data(), validationLimit: 16 } as const;
      // Stopped in the middle of its first epoch, with checkpoints on the way and one on stopping...
      const controller = new AbortController();
      const stopped = build(variant);
      try {
        await train(stopped, data(), { ...options, signal: controller.signal, onStep: (e) => e.step === 3 && controller.abort() });
      } finally {
        stopped.dispose();
      }
      // ...then resumed into a fresh model, validated, evaluated, saved and loaded, and loaded from the checkpoint.
      const fresh = build(variant);
      const result = await train(fresh, data(), { ...options, resume: true });
      expect(result.resumedFromStep).toBe(3);
      await evaluate(fresh, data(), { k: 4 });
      (await deserializeModel(await serializeModel(fresh))).dispose();
      (await (await decodeCheckpoint((await store.load())!)).loadModel()).dispose();
      const afterWork = tf.memory().numTensors;
      const owned = fresh.variables().length;
      fresh.dispose();
      expect(afterWork - before, 'tensors beyond the model weights after training').toBe(owned);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
