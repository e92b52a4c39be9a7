import * as tf from '@tensorflow/tfjs-core';
import type { FeatureMatrix } from '@vaekit/core';
import { shuffledIndices } from '@vaekit/core/internal';
import { DIGIT_CLASSES, DIGIT_PIXELS, type DigitClassifier } from './digit-classifier.js';

/** Labelled grey digits: `images` holds count × 784 values in [0, 1], `labels` the digit of each. */
export interface LabelledDigits {
  readonly images: Float32Array;
  readonly labels: ArrayLike<number>;
  readonly count: number;
}

export interface DigitTrainingStep {
  readonly epoch: number;
  readonly epochs: number;
  readonly batch: number;
  readonly batches: number;
  readonly loss: number;
}

export interface TrainDigitClassifierOptions {
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  /** Seed of the example order (the weights' seed is the classifier's config). */
  readonly seed?: number;
  /** Called after each step; reading `loss` syncs with the device, so the callback is given it lazily. */
  readonly onStep?: (step: DigitTrainingStep) => void;
}

/** Checks that images and labels agree with `count` and hold what a digit classifier learns from. */
export function checkLabelledDigits(data: LabelledDigits): void {
  if (!Number.isSafeInteger(data.count) || data.count < 1) throw new RangeError(`digits: count must be a whole number >= 1, got ${data.count}`);
  if (data.images.length !== data.count * DIGIT_PIXELS) {
    throw new RangeError(`digits: ${data.images.length} pixel values are not ${data.count} pictures of ${DIGIT_PIXELS}`);
  }
  if (data.labels.length !== data.count) throw new RangeError(`digits: ${data.labels.length} labels for ${data.count} pictures`);
  for (let i = 0; i < data.count; i++) {
    const label = data.labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= DIGIT_CLASSES) throw new RangeError(`digits: label ${i} is ${label}, not a digit 0-9`);
  }
}

/** Rows `indices` of `images` as a [rows, 784] tensor. */
function gatherImages(images: Float32Array, indices: readonly number[]): tf.Tensor2D {
  const out = new Float32Array(indices.length * DIGIT_PIXELS);
  indices.forEach((row, i) => out.set(images.subarray(row * DIGIT_PIXELS, (row + 1) * DIGIT_PIXELS), i * DIGIT_PIXELS));
  return tf.tensor2d(out, [indices.length, DIGIT_PIXELS]);
}

/** Minimizes softmax cross-entropy with Adam over shuffled mini-batches; returns the last epoch's mean loss. */
export async function trainDigitClassifier(classifier: DigitClassifier, data: LabelledDigits, options: TrainDigitClassifierOptions = {}): Promise<number> {
  checkLabelledDigits(data);
  const epochs = options.epochs ?? 3;
  const batchSize = options.batchSize ?? 128;
  const optimizer = tf.train.adam(options.learningRate ?? 1e-3);
  const trainable = classifier.variables().filter((v) => v.trainable).map((v) => v.variable);
  const batches = Math.ceil(data.count / batchSize);
  let epochLoss = 0;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const order = shuffledIndices(data.count, (options.seed ?? 0) * 1000 + epoch);
      let lossSum = 0;
      for (let b = 0; b < batches; b++) {
        const indices = order.slice(b * batchSize, (b + 1) * batchSize);
        const labels = indices.map((row) => data.labels[row]!);
        const loss = tf.tidy(() => {
          const x = gatherImages(data.images, indices);
          const y = tf.oneHot(tf.tensor1d(labels, 'int32'), DIGIT_CLASSES);
          return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, classifier.logits(x)) as tf.Scalar, true, trainable)!;
        });
        const value = (await loss.data())[0]!;
        loss.dispose();
        lossSum += value * indices.length;
        options.onStep?.({ epoch, epochs, batch: b + 1, batches, loss: value });
      }
      epochLoss = lossSum / data.count;
    }
  } finally {
    optimizer.dispose();
  }
  return epochLoss;
}

/** Share of `data` whose most likely digit is its label. */
export async function digitAccuracy(classifier: DigitClassifier, data: LabelledDigits, batchSize = 500): Promise<number> {
  checkLabelledDigits(data);
  let correct = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, data.count - start) }, (_, i) => start + i);
    const predicted = tf.tidy(() => classifier.predict(gatherImages(data.images, indices)));
    const values = await predicted.data();
    predicted.dispose();
    values.forEach((digit, i) => {
      if (digit === data.labels[indices[i]!]) correct += 1;
    });
  }
  return correct / data.count;
}

/** The classifier's features of `count` pictures ([count × 784] values in [0, 1]), a batch at a time. */
export async function digitFeatures(classifier: DigitClassifier, images: Float32Array, count: number, batchSize = 500): Promise<FeatureMatrix> {
  if (images.length !== count * DIGIT_PIXELS) throw new RangeError(`digitFeatures: ${images.length} values are not ${count} pictures of ${DIGIT_PIXELS}`);
  const dims = classifier.featureUnits;
  const values = new Float32Array(count * dims);
  for (let start = 0; start < count; start += batchSize) {
    const rows = Math.min(batchSize, count - start);
    const features = tf.tidy(() => classifier.features(tf.tensor2d(images.subarray(start * DIGIT_PIXELS, (start + rows) * DIGIT_PIXELS), [rows, DIGIT_PIXELS])));
    values.set(await features.data(), start * dims);
    features.dispose();
  }
  return { values, rows: count, dims };
}
