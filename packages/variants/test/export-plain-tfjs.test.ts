import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CorruptFileError, createModel, SeededRandom, serializeModel, type VaeModel } from '@vaekit/core';
import { exportModel, loadModel, modelFolderHandler, saveModel } from '@vaekit/core/node';
import { useCpu } from '@vaekit/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Registers the built-in variants createModel builds.
import '../src/index.js';
import { serveFolder, type ServedFolder } from './helpers/serve-folder.js';

const CONSUMER = fileURLToPath(new URL('./fixtures/plain-tfjs-consumer.mjs', import.meta.url));
const CONFIG = {
  className: 'Vae',
  inputShape: [6, 6, 1],
  latentDim: 3,
  architecture: { type: 'conv' as const, filters: [4], kernelSize: 3, denseUnits: 8 },
  seed: 5,
};

let folder: string;
let served: ServedFolder;
let model: VaeModel;

beforeAll(async () => {
  await useCpu();
  folder = mkdtempSync(join(tmpdir(), 'vaekit-export-'));
  served = await serveFolder(folder);
  model = createModel(CONFIG);
  // Trained-looking weights: away from the seeded start, so a copy of the wrong weights would show.
  const rng = new SeededRandom(21);
  tf.tidy(() => model.variables().forEach(({ variable }) => variable.assign(tf.mul(rng.normal(variable.shape), 0.4))));
});

afterAll(async () => {
  model.dispose();
  await served.close();
  rmSync(folder, { recursive: true, force: true });
});

/** Runs the plain-tfjs consumer in its own Node process on models served over HTTP (by this process, so never synchronously). */
async function consume(models: Record<string, string>, inputs: Record<string, number[][] | number[][][][]>): Promise<Record<string, number[][]>> {
  const requestPath = join(folder, `request-${Object.keys(models).join('-')}.json`);
  writeFileSync(requestPath, JSON.stringify({ models, inputs }));
  const { stdout } = await promisify(execFile)(process.execPath, [CONSUMER, requestPath], { encoding: 'utf8', timeout: 60_000 });
  return (JSON.parse(stdout.trim().split('\n').pop()!) as { outputs: Record<string, number[][]> }).outputs;
}

function expectClose(actual: readonly number[], expected: tf.Tensor): void {
  const want = expected.dataSync();
  expect(actual.length).toBe(want.length);
  actual.forEach((a, i) => expect(Math.abs(a - want[i]!)).toBeLessThanOrEqual(1e-5 * Math.abs(want[i]!) + 1e-6));
}

describe('an exported model in plain TensorFlow.js', () => {
  it('writes model.json and weights.bin per part, which a separate process with only tfjs loads over HTTP with vaekit outputs', async () => {
    const result = await exportModel(model, join(folder, 'exported'), { encoder: 'mean-and-log-variance' });
    expect(result.parts.map((p) => p.part)).toEqual(['encoder', 'decoder']);
    for (const part of ['encoder', 'decoder']) {
      expect(existsSync(join(folder, 'exported', part, 'model.json'))).toBe(true);
      expect(existsSync(join(folder, 'exported', part, 'weights.bin'))).toBe(true);
    }
    const x = tf.tidy(() => new SeededRandom(1).uniform([4, 6, 6, 1]));
    const z = tf.tidy(() => new SeededRandom(2).normal([4, 3]));
    const outputs = await consume(
      { encoder: `${served.url}/exported/encoder/model.json`, decoder: `${served.url}/exported/decoder/model.json` },
      { encoder: x.arraySync() as number[][][][], decoder: z.arraySync() as number[][] },
    );
    const posterior = (model as VaeModel & { posterior(x: tf.Tensor): { mean: tf.Tensor; logVar: tf.Tensor } }).posterior(x);
    const decoded = model.decodeMean(z);
    expectClose(outputs['encoder']![0]!, posterior.mean);
    expectClose(outputs['encoder']![1]!, posterior.logVar);
    expectClose(outputs['decoder']![0]!, decoded);
    tf.dispose([x, z, posterior.mean, posterior.logVar, decoded]);
  });

  it('reads an exported folder back through the folder handler, as tfjs-node reads file:// folders', async () => {
    await exportModel(model, `file://${join(folder, 'by-url')}`);
    const decoder = await tfl.loadLayersModel(modelFolderHandler(join(folder, 'by-url', 'decoder')));
    const z = tf.tidy(() => new SeededRandom(3).normal([2, 3]));
    const out = decoder.predict(z) as tf.Tensor;
    const decoded = model.decodeMean(z);
    expectClose(Array.from(out.dataSync()), decoded);
    tf.dispose([z, out, decoded]);
    decoder.dispose();
  });
});

describe('saveModel and loadModel through tfjs IO handlers', () => {
  it('stores the .vaekit bytes unchanged as the weights file, and loads them back over HTTP', async () => {
    await saveModel(model, modelFolderHandler(join(folder, 'saved')));
    const { readFile } = await import('node:fs/promises');
    expect(new Uint8Array(await readFile(join(folder, 'saved', 'weights.bin')))).toEqual(await serializeModel(model));
    const loaded = await loadModel(`${served.url}/saved/model.json`);
    expect(loaded.getConfig()).toEqual(model.getConfig());
    const original = model.variables();
    loaded.variables().forEach(({ name, variable }, i) => {
      expect(name).toBe(original[i]!.name);
      expect(Array.from(variable.dataSync())).toEqual(Array.from(original[i]!.variable.dataSync()));
    });
    loaded.dispose();
  });

  it('refuses a plain TensorFlow.js model, saying where it loads instead', async () => {
    await exportModel(model, join(folder, 'plain'));
    const attempt = loadModel(`${served.url}/plain/decoder/model.json`);
    await expect(attempt).rejects.toThrow(CorruptFileError);
    await expect(loadModel(`${served.url}/plain/decoder/model.json`)).rejects.toThrow(/not a vaekit model.*tf\.loadLayersModel/);
  });
});
