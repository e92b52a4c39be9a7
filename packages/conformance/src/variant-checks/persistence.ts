import * as tf from '@tensorflow/tfjs-core';
import { decodeCheckpoint, deserializeModel, evaluate, memoryCheckpointStore, serializeModel, train, type VaeModel } from '@vaekit/core';
import { backendTolerance, useBackend } from '@vaekit/backends';
import { expect, it } from 'vitest';
import { build } from '../cases.js';
import { worstExcess } from '../compare.js';
import { take } from '../take.js';
import { evaluationLoss, type VariantFixture } from './fixture.js';

const GPU_BACKENDS = new Set(['webgl', 'webgpu']);

/** Agreement with the reference backend, save and load, and no leaked tensors across a whole run. */
export function definePersistenceChecks(f: VariantFixture): void {
  const isReference = f.backend === f.reference;
  it.skipIf(isReference)(
    `agrees with the ${f.reference} backend on the same weights and noise${isReference ? ` — skipped: ${f.backend} is the reference backend` : ''}`,
    async () => {
      const { rtol, atol } = backendTolerance(f.backend);
      const measure = async (): Promise<Float32Array> => {
        const fresh = build(f.variant);
        const x = f.batch();
        try {
          const terms = evaluationLoss(fresh, x, 6);
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
      await useBackend(f.reference);
      let there: Float32Array;
      try {
        there = await measure();
      } finally {
        await useBackend(f.backend);
      }
      const excess = worstExcess(here, there, rtol, atol);
      expect(excess, `worst excess over rtol ${rtol}, atol ${atol}`).toBeLessThanOrEqual(0);
    },
  );

  it('round-trips through save and load with identical outputs', async () => {
    const model = f.model();
    const x = f.batch();
    const restored = await deserializeModel(await serializeModel(model));
    try {
      expect(restored.getConfig()).toEqual(model.getConfig());
      const outputs = (m: VaeModel): tf.Tensor =>
        tf.tidy(() => tf.concat([tf.stack(Object.values(evaluationLoss(m, x, 8))), tf.reshape(m.reconstruct(x), [-1])]));
      const [a, b] = await Promise.all([take(outputs(model)), take(outputs(restored))]);
      if (GPU_BACKENDS.has(f.backend)) {
        // On a GPU, a weight read back from a file is uploaded from the CPU and may enter a shader as a
        // uniform, where the trained one sits in a texture: the same float32 value can then round
        // differently in the last bit of exp or softplus. Anything more than that is a real difference.
        expect(worstExcess(b, a, 1e-6, 1e-7), 'worst excess over rtol 1e-6, atol 1e-7').toBeLessThanOrEqual(0);
      } else {
        expect(Array.from(b)).toEqual(Array.from(a));
      }
    } finally {
      restored.dispose();
      x.dispose();
    }
  });

  it('leaks no tensors across training with checkpoints, a resume, evaluation, save and load, and disposal', async () => {
    const before = tf.memory().numTensors;
    const store = memoryCheckpointStore();
    const data = f.data();
    const options = { epochs: 2, batchSize: 16, seed: 5, checkpoint: store, checkpointEverySteps: 2, validation: data, validationLimit: 16 } as const;
    // Stopped in the middle of its first epoch, with checkpoints on the way and one on stopping...
    const controller = new AbortController();
    const stopped = build(f.variant);
    try {
      await train(stopped, data, { ...options, signal: controller.signal, onStep: (e) => e.step === 3 && controller.abort() });
    } finally {
      stopped.dispose();
    }
    // ...then resumed into a fresh model, validated, evaluated, saved and loaded, and loaded from the checkpoint.
    const fresh = build(f.variant);
    const result = await train(fresh, data, { ...options, resume: true });
    expect(result.resumedFromStep).toBe(3);
    await evaluate(fresh, data, { k: 4 });
    (await deserializeModel(await serializeModel(fresh))).dispose();
    (await (await decodeCheckpoint((await store.load())!)).loadModel()).dispose();
    const afterWork = tf.memory().numTensors;
    const owned = fresh.variables().length;
    fresh.dispose();
    expect(afterWork - before, 'tensors beyond the model weights after training').toBe(owned);
    expect(tf.memory().numTensors).toBe(before);
  });
}
