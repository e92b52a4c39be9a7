import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@vaekit/backends';
import { frechetDistance, precisionRecall, type FeatureMatrix } from '@vaekit/core';
import { DigitClassifier, deserializeDigitClassifier, digitAccuracy, digitFeatures, serializeDigitClassifier, trainDigitClassifier } from '@vaekit/variants';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mnistDigits } from '../src/quality/mnist-digits.js';
import { assertBuilt, cli, TINY } from './helpers/cli.js';

/** A Gaussian blur (σ pixels, separable, edges clamped) of every 28 × 28 picture. */
function blurred(images: Float32Array, sigma: number): Float32Array {
  const radius = Math.ceil(3 * sigma);
  const weights = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const total = weights.reduce((a, b) => a + b, 0);
  const kernel = weights.map((w) => w / total);
  const out = new Float32Array(images.length);
  const row = new Float32Array(784);
  const clamp = (v: number): number => Math.min(27, Math.max(0, v));
  for (let p = 0; p < images.length / 784; p++) {
    const base = p * 784;
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        let sum = 0;
        for (let t = -radius; t <= radius; t++) sum += kernel[t + radius]! * images[base + y * 28 + clamp(x + t)]!;
        row[y * 28 + x] = sum;
      }
    }
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        let sum = 0;
        for (let t = -radius; t <= radius; t++) sum += kernel[t + radius]! * row[clamp(y + t) * 28 + x]!;
        out[base + y * 28 + x] = sum;
      }
    }
  }
  return out;
}

/** Every picture's pixels moved by one fixed random permutation: the same ink, no strokes. */
function pixelShuffled(images: Float32Array, seed: number): Float32Array {
  const permutation = Array.from({ length: 784 }, (_, i) => i);
  let state = seed >>> 0;
  for (let i = 783; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [permutation[i], permutation[j]] = [permutation[j]!, permutation[i]!];
  }
  const out = new Float32Array(images.length);
  for (let p = 0; p < images.length / 784; p++) {
    for (let i = 0; i < 784; i++) out[p * 784 + i] = images[p * 784 + permutation[i]!]!;
  }
  return out;
}

const firstRows = (set: FeatureMatrix, rows: number): FeatureMatrix => ({ values: Array.prototype.slice.call(set.values, 0, rows * set.dims) as number[], rows, dims: set.dims });

describe('sample quality on MNIST: the control test', () => {
  let classifier: DigitClassifier;
  let accuracy = 0;
  let scores: Record<'real' | 'blurred' | 'shuffled', { fd: number; precision: number; recall: number }>;
  const folder = mkdtempSync(join(tmpdir(), 'vaekit-quality-'));

  beforeAll(async () => {
    // Native when the addon is there (fast training); the cpu backend otherwise.
    await useBackend('auto');
    const train = mnistDigits('train');
    classifier = new DigitClassifier();
    await trainDigitClassifier(classifier, train, { epochs: 1, seed: 1 });
    const test = mnistDigits('test');
    accuracy = await digitAccuracy(classifier, test);
    // Even and odd rows: MNIST's test set puts one group of writers in its first half and another in its
    // second, so halves split down the middle differ for a reason of their own.
    const half = test.count / 2;
    const [first, second] = [0, 1].map((parity) => {
      const out = new Float32Array(half * 784);
      for (let i = 0; i < half; i++) out.set(test.images.subarray((2 * i + parity) * 784, (2 * i + parity + 1) * 784), i * 784);
      return out;
    }) as [Float32Array, Float32Array];
    const reference = await digitFeatures(classifier, first, half);
    const controls = {
      real: await digitFeatures(classifier, second, half),
      blurred: await digitFeatures(classifier, blurred(second, 1.5), half),
      shuffled: await digitFeatures(classifier, pixelShuffled(second, 7), half),
    };
    // Precision and recall on 2,000 of each half keep the pairwise passes short on a shared machine.
    const prRows = 2000;
    scores = Object.fromEntries(
      Object.entries(controls).map(([name, features]) => {
        const { precision, recall } = precisionRecall(firstRows(reference, prRows), firstRows(features, prRows));
        return [name, { fd: frechetDistance(reference, features), precision, recall }];
      }),
    ) as typeof scores;
    console.log(`classifier test accuracy ${accuracy}; scores ${JSON.stringify(scores)}`);
  }, 900_000);

  afterAll(() => {
    classifier?.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  it('trains a classifier above 95% test accuracy', () => {
    expect(accuracy).toBeGreaterThan(0.95);
  });

  it('scores held-out digits far better than blurred and pixel-shuffled copies of them', () => {
    const { real, blurred: blur, shuffled } = scores;
    // Measured (1 epoch, seed 1, native): real 0.56, blurred 42, shuffled 175; margins leave room for other seeds.
    expect(real.fd * 20).toBeLessThan(blur.fd);
    expect(real.fd * 20).toBeLessThan(shuffled.fd);
    expect(real.precision).toBeGreaterThan(0.8);
    expect(real.recall).toBeGreaterThan(0.8);
    // Blurred digits still land near real ones (their precision stays high); what they lose is the
    // variety of sharp strokes, which recall measures.
    expect(blur.recall).toBeLessThan(real.recall - 0.5);
    expect(shuffled.precision).toBeLessThan(real.precision - 0.2);
    expect(shuffled.recall).toBeLessThan(0.1);
  });

  it('vaekit quality --training-digits scores real digits near the top, and refuses a model or sampler beside it', async () => {
    await assertBuilt();
    const file = join(folder, 'classifier.vaekit');
    writeFileSync(file, await serializeDigitClassifier(classifier, accuracy));
    const scored = await cli(['quality', '--training-digits', '--n', '1000', '--classifier', file, '--json']);
    expect(scored.code, scored.stderr).toBe(0);
    const result = JSON.parse(scored.stdout) as { model: string; samples: number; frechetDistance: number; precision: number; recall: number };
    expect(result.model).toBe('MNIST training digits');
    expect(result.samples).toBe(1000);
    // 1,000 training digits against 10,000 test digits: a small distance (the halves above give 0.56) and
    // high precision; recall is lower because 1,000 balls cover less of 10,000 points.
    expect(result.frechetDistance).toBeLessThan(5);
    expect(result.precision).toBeGreaterThan(0.8);
    expect(result.recall).toBeGreaterThan(0.3);
    const both = await cli(['quality', '--training-digits', '--model-file', file]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--training-digits scores real digits, so it takes no --model-file or --sampler/);
    const tooMany = await cli(['quality', '--training-digits', '--n', '60001', '--classifier', file]);
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toMatch(/--n 60001 is more than the 60000 training digits/);
  }, 300_000);

  it('saves and loads the classifier exactly, and refuses a corrupt file', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const bytes = await serializeDigitClassifier(classifier, accuracy);
    const { classifier: loaded, testAccuracy } = await deserializeDigitClassifier(bytes);
    try {
      expect(testAccuracy).toBe(accuracy);
      const x = tf.randomUniform([4, 784], 0, 1, 'float32', 3);
      const [a, b] = [classifier.features(x), loaded.features(x)];
      expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
      tf.dispose([x, a, b]);
    } finally {
      loaded.dispose();
    }
    const corrupt = bytes.slice();
    corrupt[corrupt.length - 1]! ^= 1;
    await expect(deserializeDigitClassifier(corrupt, 'bad.vaekit')).rejects.toThrow(/bad\.vaekit is corrupt/);
    const wrong = tf.zeros([2, 27, 27, 1]);
    expect(() => classifier.features(wrong)).toThrow(/\[n, 784\] or \[n, 28, 28, 1\]/);
    wrong.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});

describe('vaekit quality (the built CLI)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'vaekit-quality-cli-'));
  beforeAll(assertBuilt);
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('lists its options and refuses a model whose pictures are not 28×28 digits', async () => {
    const help = await cli(['quality', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--sampler PATH/);
    const csv = join(folder, 'five.csv');
    writeFileSync(csv, Array.from({ length: 64 }, (_, i) => [0, 1, 2, 3, 4].map((d) => (i + d) % 2).join(',')).join('\n'));
    const out = join(folder, 'run');
    const trained = await cli(['train', ...TINY, '--data', csv, '--out', out]);
    expect(trained.code).toBe(0);
    const refused = await cli(['quality', '--model-file', join(out, 'model.vaekit'), '--backend', 'cpu']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/scores 28×28 single-channel digit pictures \(MNIST\), but this Vae makes inputs of shape \[5\]/);
    const badN = await cli(['quality', '--model-file', join(out, 'model.vaekit'), '--n', '2']);
    expect(badN.code).toBe(2);
  });
});
