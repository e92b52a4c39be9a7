import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createModel, ExportError, exportModel, SeededRandom, type ExportOptions, type ExportPart, type VaeModel } from '@vaekit/core';
import { useCpu } from '@vaekit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
// Registers the built-in variants createModel builds.
import '../src/index.js';
import type { PlanarFlowVae, Vae, VqVae } from '../src/index.js';

beforeAll(useCpu);

const MLP = { inputShape: [12], architecture: { type: 'mlp' as const, hiddenUnits: [10] }, seed: 3 };
const CONV = { inputShape: [8, 8, 2], architecture: { type: 'conv' as const, filters: [4, 6], kernelSize: 3, denseUnits: 10 }, seed: 4 };

/** Exports to memory and returns each part's artifacts, as a server or IndexedDB would store them. */
async function exportToMemory(model: VaeModel, options: ExportOptions = {}): Promise<Map<ExportPart, tf.io.ModelArtifacts>> {
  const written = new Map<ExportPart, tf.io.ModelArtifacts>();
  await exportModel(
    model,
    (part) =>
      tf.io.withSaveHandler(async (artifacts) => {
        written.set(part, artifacts);
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    options,
  );
  return written;
}

/** Every weight drawn afresh (moving averages positive), so the export is checked away from the initial values. */
function scrambleWeights(model: VaeModel, seed: number): void {
  const rng = new SeededRandom(seed);
  tf.tidy(() => {
    for (const { name, variable } of model.variables()) {
      const noise = tf.mul(rng.normal(variable.shape), 0.3);
      variable.assign(name.endsWith('moving_variance') ? tf.add(tf.abs(noise), 0.5) : noise);
    }
  });
}

async function predict(artifacts: tf.io.ModelArtifacts, inputs: tf.Tensor): Promise<Float32Array[]> {
  const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  try {
    const outputs = tf.tidy(() => [loaded.predict(inputs)].flat());
    const values = await Promise.all(outputs.map(async (t) => (await t.data()) as Float32Array));
    tf.dispose(outputs);
    return values;
  } finally {
    loaded.dispose();
  }
}

function expectClose(actual: Float32Array, expected: tf.Tensor): void {
  const want = expected.dataSync();
  expect(actual.length).toBe(want.length);
  const worst = Math.max(...Array.from(actual, (a, i) => Math.abs(a - want[i]!) / (1e-5 * Math.abs(want[i]!) + 1e-6)));
  expect(worst).toBeLessThanOrEqual(1);
}

async function checkVae(model: Vae, batch = 5): Promise<void> {
  const x = tf.tidy(() => new SeededRandom(9).uniform([batch, ...model.inputShape]));
  const z = tf.tidy(() => new SeededRandom(10).normal([batch, ...model.latentShape]));
  const mean = await exportToMemory(model);
  const both = await exportToMemory(model, { encoder: 'mean-and-log-variance' });
  const posterior = model.posterior(x);
  const decoded = model.decodeMean(z);
  const [encoded] = await predict(mean.get('encoder')!, x);
  const [meanOut, logVarOut] = await predict(both.get('encoder')!, x);
  const [decoderOut] = await predict(mean.get('decoder')!, z);
  expectClose(encoded!, posterior.mean);
  expectClose(meanOut!, posterior.mean);
  expectClose(logVarOut!, posterior.logVar);
  expectClose(decoderOut!, decoded);
  tf.dispose([x, z, posterior.mean, posterior.logVar, decoded]);
}

describe('exportModel', () => {
  it('writes a Bernoulli VAE whose plain-tfjs decoder gives decodeMean (sigmoid applied) and encoder the posterior', async () => {
    const model = createModel({ className: 'Vae', ...MLP, latentDim: 3 }) as Vae;
    scrambleWeights(model, 1);
    const before = tf.memory().numTensors;
    await exportToMemory(model);
    expect(tf.memory().numTensors).toBe(before);
    await checkVae(model);
    model.dispose();
  });

  it('exports a convolutional, batch-normalized encoder on its moving averages, and a per-pixel Gaussian decoder to its locations', async () => {
    const model = createModel({ className: 'Vae', ...CONV, latentDim: 4, batchNorm: true, likelihood: { type: 'gaussian', variance: 'learned-per-pixel' } });
    scrambleWeights(model, 2);
    await checkVae(model as Vae);
    model.dispose();
  });

  for (const scale of ['fixed', 'learned-global'] as const) {
    it(`computes the discretized-logistic mean with a ${scale} scale from built-in layers`, async () => {
      const model = createModel({ className: 'BetaVae', ...MLP, latentDim: 3, likelihood: { type: 'discretized-logistic', scale, s: 0.05 } });
      scrambleWeights(model, 3);
      await checkVae(model as Vae);
      model.dispose();
    });
  }

  it('refuses a mean no built-in layer computes, naming the parameters export, which then matches decode', async () => {
    const model = createModel({ className: 'Vae', ...MLP, latentDim: 3, likelihood: { type: 'discretized-logistic', scale: 'learned-per-pixel' } });
    const before = tf.memory().numTensors;
    await expect(exportToMemory(model)).rejects.toThrow(/learned-per-pixel.*'parameters'/);
    expect(tf.memory().numTensors).toBe(before);
    const parts = await exportToMemory(model, { decoder: 'parameters' });
    const z = tf.tidy(() => new SeededRandom(4).normal([3, 3]));
    const params = model.decode(z);
    const [out] = await predict(parts.get('decoder')!, z);
    expectClose(out!, params);
    tf.dispose([z, params]);
    model.dispose();
    const continuous = createModel({ className: 'Vae', ...MLP, latentDim: 3, likelihood: { type: 'continuous-bernoulli' } });
    await expect(exportToMemory(continuous)).rejects.toThrow(ExportError);
    continuous.dispose();
  });

  it("exports a flow VAE's base-Gaussian encoder and its decoder", async () => {
    const model = createModel({ className: 'PlanarFlowVae', ...MLP, latentDim: 3, flowSteps: 2 }) as PlanarFlowVae;
    scrambleWeights(model, 5);
    const x = tf.tidy(() => new SeededRandom(9).uniform([4, 12]));
    const parts = await exportToMemory(model);
    const { base, flowInput } = model.encoderOutputs(x);
    const decoded = model.decodeMean(base.mean);
    const [encoded] = await predict(parts.get('encoder')!, x);
    const [decoderOut] = await predict(parts.get('decoder')!, base.mean);
    expectClose(encoded!, base.mean);
    expectClose(decoderOut!, decoded);
    tf.dispose([x, base.mean, base.logVar, flowInput, decoded]);
    model.dispose();
  });

  it("exports a VQ-VAE's encoder before quantization, its decoder from quantized vectors and its codebook", async () => {
    const model = createModel({ className: 'VqVae', ...MLP, numLatents: 2, embeddingDim: 4, codebookSize: 8 }) as VqVae;
    scrambleWeights(model, 6);
    const x = tf.tidy(() => new SeededRandom(9).uniform([4, 12]));
    const parts = await exportToMemory(model);
    expect([...parts.keys()]).toEqual(['encoder', 'decoder', 'codebook']);
    const continuous = model.encodeContinuous(x);
    const indices = model.codeIndices(x);
    const quantized = model.encode(x);
    const decoded = model.decodeMean(quantized);
    expectClose((await predict(parts.get('encoder')!, x))[0]!, continuous);
    expectClose((await predict(parts.get('decoder')!, quantized))[0]!, decoded);
    expectClose((await predict(parts.get('codebook')!, indices))[0]!, quantized);
    tf.dispose([x, continuous, indices, quantized, decoded]);
    model.dispose();
  });

  it('refuses a ladder VAE with the reason', async () => {
    const model = createModel({ className: 'LadderVae', ...MLP, latentDims: [3, 2], deterministicUnits: [8, 6] });
    await expect(exportToMemory(model)).rejects.toThrow(/LadderVae cannot be exported.*precision weighting/);
    model.dispose();
  });

  it('names the scheme when no IO handler saves to a URL', async () => {
    const model = createModel({ className: 'Vae', ...MLP, latentDim: 3 });
    await expect(exportModel(model, 'nowhere://m')).rejects.toThrow(/no TensorFlow.js IO handler saves to nowhere:\/\/m\/encoder/);
    model.dispose();
  });
});
