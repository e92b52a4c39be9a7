import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '@vaekit/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DigitClassifier,
  deserializeDigitClassifier,
  digitAccuracy,
  digitClassifierWeights,
  digitFeatures,
  serializeDigitClassifier,
  trainDigitClassifier,
  type DigitClassifierConfig,
} from '../../src/index.js';

const SMALL: DigitClassifierConfig = { className: 'DigitClassifier', filters: [4, 8], featureUnits: 16, seed: 5 };

/** Two easily told apart "digits": a bright left half (label 0) or a bright right half (label 1). */
function halves(count: number): { images: Float32Array; labels: Uint8Array; count: number } {
  const images = new Float32Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 2;
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) images[i * 784 + y * 28 + x] = (x < 14) === (i % 2 === 0) ? 0.9 : 0.05 * ((i + x + y) % 3);
  }
  return { images, labels, count };
}

describe('DigitClassifier', () => {
  beforeAll(useCpu);

  it('gives [n, featureUnits] features and [n, 10] logits from flat or square digits alike', () => {
    const start = tf.memory().numTensors;
    const classifier = new DigitClassifier(SMALL);
    const flat = tf.randomUniform([3, 784], 0, 1, 'float32', 1);
    const square = tf.reshape(flat, [3, 28, 28, 1]);
    const [a, b, logits, predicted] = [classifier.features(flat), classifier.features(square), classifier.logits(flat), classifier.predict(flat)];
    expect(a.shape).toEqual([3, 16]);
    expect(logits.shape).toEqual([3, 10]);
    expect(predicted.shape).toEqual([3]);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    const wrong = tf.zeros([3, 100]);
    expect(() => classifier.features(wrong)).toThrow(/\[n, 784\] or \[n, 28, 28, 1\] grey digits, got \[3,100\]/);
    tf.dispose([flat, square, a, b, logits, predicted, wrong]);
    classifier.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('lists the weights its plan promises, by stable names', () => {
    const classifier = new DigitClassifier(SMALL);
    const planned = digitClassifierWeights(SMALL).map((w) => `${w.name} [${w.shape}]`);
    expect(classifier.variables().map((v) => `${v.name} [${v.variable.shape}]`)).toEqual(planned);
    classifier.dispose();
  });

  it('learns a two-class toy task, and its features and file round-trip exactly', async () => {
    const start = tf.memory().numTensors;
    const classifier = new DigitClassifier(SMALL);
    const data = halves(64);
    await trainDigitClassifier(classifier, data, { epochs: 3, batchSize: 16, learningRate: 0.01, seed: 2 });
    expect(await digitAccuracy(classifier, data)).toBe(1);
    const features = await digitFeatures(classifier, data.images, data.count, 10);
    expect(features.rows).toBe(64);
    expect(features.dims).toBe(16);
    const bytes = await serializeDigitClassifier(classifier, 0.5);
    const { classifier: loaded, testAccuracy } = await deserializeDigitClassifier(bytes, 'toy.vaekit');
    expect(testAccuracy).toBe(0.5);
    expect(Array.from((await digitFeatures(loaded, data.images, data.count)).values)).toEqual(Array.from(features.values));
    loaded.dispose();
    classifier.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('refuses bad configs, bad labels and files of another kind', async () => {
    expect(() => new DigitClassifier({ ...SMALL, featureUnits: 0 })).toThrow(/featureUnits must be a whole number/);
    const classifier = new DigitClassifier(SMALL);
    const data = halves(4);
    await expect(trainDigitClassifier(classifier, { ...data, labels: Uint8Array.from([0, 1, 12, 1]) })).rejects.toThrow(/label 2 is 12/);
    await expect(trainDigitClassifier(classifier, { ...data, count: 5 })).rejects.toThrow(/not 5 pictures/);
    const bytes = await serializeDigitClassifier(classifier);
    classifier.dispose();
    const start = tf.memory().numTensors;
    const tampered = new TextDecoder('latin1').decode(bytes).replace('vaekit-classifier', 'vaekit-classifiez');
    await expect(deserializeDigitClassifier(Uint8Array.from(tampered, (c) => c.charCodeAt(0)), 'x.vaekit')).rejects.toThrow(/x\.vaekit/);
    expect(tf.memory().numTensors).toBe(start);
  });
});
