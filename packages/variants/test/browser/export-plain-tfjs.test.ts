// In headless Chromium: plain TensorFlow.js loads a model vaekit exported in Node, served over HTTP, and
// gives the outputs vaekit computed in Node; vaekit's loadModel reads a model saved in Node over HTTP, and
// saveModel/loadModel and exportModel go through IndexedDB. The Node side is the project's global setup
// (export-served.setup.ts), which provides the server's URL and the expected values.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { exportModel, loadModel, saveModel, type VaeModel } from '@vaekit/core';
import '@vaekit/variants';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import './served-export.js';

const { url, expected } = inject('vaekitServedExport');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function expectClose(actual: ArrayLike<number>, want: readonly number[]): void {
  expect(actual.length).toBe(want.length);
  const worst = Math.max(...Array.from(actual, (a, i) => Math.abs(a - want[i]!) / (1e-5 * Math.abs(want[i]!) + 1e-6)));
  expect(worst).toBeLessThanOrEqual(1);
}

async function predictPlain(modelUrl: string, input: { shape: number[]; values: number[] }): Promise<Float32Array> {
  const model = await tfl.loadLayersModel(modelUrl);
  const x = tf.tensor(input.values, input.shape);
  const y = model.predict(x) as tf.Tensor;
  const values = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  model.dispose();
  return values;
}

async function reconstructOf(model: VaeModel): Promise<Float32Array> {
  const x = tf.tensor(expected.x.values, expected.x.shape);
  const y = model.reconstruct(x);
  const values = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return values;
}

describe('exported models in Chromium', () => {
  it("loads the Node export over HTTP with plain tfjs: the encoder's means and the decoder's likelihood means match vaekit in Node", async () => {
    expectClose(await predictPlain(`${url}/exported/encoder/model.json`, expected.x), expected.encoderMean);
    expectClose(await predictPlain(`${url}/exported/decoder/model.json`, expected.z), expected.decodeMean);
  });

  it('loads a model saved in Node over HTTP with vaekit, then saves it to IndexedDB and loads it back with the same outputs', async () => {
    const served = await loadModel(`${url}/saved/model.json`);
    expectClose(await reconstructOf(served), expected.reconstruct);
    await saveModel(served, 'indexeddb://vaekit-export-test');
    served.dispose();
    const stored = await loadModel('indexeddb://vaekit-export-test');
    expect(stored.getConfig()).toMatchObject(expected.config);
    expectClose(await reconstructOf(stored), expected.reconstruct);

    await exportModel(stored, 'indexeddb://vaekit-export-test-plain');
    expectClose(await predictPlain('indexeddb://vaekit-export-test-plain/decoder', expected.z), expected.decodeMean);
    stored.dispose();
    await tf.io.removeModel('indexeddb://vaekit-export-test');
    await tf.io.removeModel('indexeddb://vaekit-export-test-plain/encoder');
    await tf.io.removeModel('indexeddb://vaekit-export-test-plain/decoder');
  });
});
