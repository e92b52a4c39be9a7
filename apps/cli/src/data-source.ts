import { statSync, type Stats } from 'node:fs';
import type { Dataset, VaeModel } from '@vaekit/core';
import type { Likelihood } from '@vaekit/data';
import { createImageDataset, DataError, loadDataFile, mnistDataset, type Binarization, type LoadedData } from '@vaekit/data/node';
import { likelihoodOf } from './models.js';
import { UsageError } from './errors.js';

export const BINARIZATIONS: readonly Binarization[] = ['dynamic', 'static', 'none'];

/** MNIST examples come in two shapes: flat vectors for MLPs, [28, 28, 1] images for convolutions. */
const MNIST_FLAT = [784];
const MNIST_IMAGE = [28, 28, 1];

export function isMnist(source: string): boolean {
  return source.toLowerCase() === 'mnist';
}

/**
 * The binarization a run uses: what the user asked for, or the standard default — dynamic for MNIST
 * under a Bernoulli likelihood (the literature's setting), none otherwise, so a user's own values and any
 * Gaussian run see the data exactly as given.
 */
export function resolveBinarization(requested: string | undefined, source: string, likelihood: Likelihood): Binarization {
  if (requested === undefined) return isMnist(source) && likelihood === 'bernoulli' ? 'dynamic' : 'none';
  if (!(BINARIZATIONS as readonly string[]).includes(requested)) {
    throw new UsageError(`unknown --binarize '${requested}': use ${BINARIZATIONS.join(', ')}`);
  }
  return requested as Binarization;
}

export interface TrainingData {
  train: Dataset;
  /** Examples the model does not train on: MNIST's test split, or the tail of a user's file. */
  heldOut: Dataset;
  /** Words for messages and metrics: "MNIST test split (2000)", "last 10% of digits.npy". */
  heldOutName: string;
  exampleShape: number[];
}

export interface TrainingDataOptions {
  source: string;
  likelihood: Likelihood;
  binarize: Binarization;
  seed: number;
  limit?: number;
  /** Examples must be images [h, w, c] (convolutional encoders) rather than flat vectors. */
  image: boolean;
  /** When resuming, the shape the saved model expects; the data must fit it. */
  expectedShape?: readonly number[];
  /** Cap on held-out examples: validation and pictures run on at most this many. */
  heldOutLimit: number;
}

/**
 * Loads and checks training data before anything is written: shape, finiteness and the values the
 * likelihood accepts are all checked here (by @vaekit/data), so a bad file fails in the first second.
 */
export function loadTrainingData(options: TrainingDataOptions): TrainingData {
  if (isMnist(options.source)) {
    const shape = mnistShapeFor(options.expectedShape ?? (options.image ? MNIST_IMAGE : MNIST_FLAT));
    const train = mnistDataset({
      split: 'train',
      binarization: options.binarize,
      seed: options.seed,
      shape,
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
    });
    const heldOut = mnistDataset({ split: 'test', binarization: options.binarize, seed: options.seed, shape, limit: options.heldOutLimit });
    return { train, heldOut, heldOutName: `MNIST test split (first ${heldOut.size})`, exampleShape: [...train.exampleShape] };
  }

  const loaded = loadUserData(options.source, options.likelihood, options.binarize, options.expectedShape);
  const exampleShape = options.expectedShape ? [...options.expectedShape] : shapeForModel(loaded, options.image, options.source);
  const size = exampleSize(exampleShape);
  // Hold out the last tenth for validation and pictures when there is enough data to spare; a tiny file
  // is validated on its own training examples (and the metrics say so).
  const heldCount = loaded.count >= 10 ? Math.max(1, Math.floor(loaded.count / 10)) : 0;
  let trainCount = loaded.count - heldCount;
  if (options.limit !== undefined) trainCount = Math.min(trainCount, options.limit);
  const dataset = (start: number, count: number): Dataset =>
    createImageDataset({
      images: loaded.data.subarray(start * size, (start + count) * size),
      count,
      exampleShape,
      binarization: options.binarize,
      seed: options.seed,
    });
  const train = dataset(0, trainCount);
  if (heldCount === 0) {
    return { train, heldOut: train, heldOutName: `${options.source} (training examples: too few to hold any out)`, exampleShape };
  }
  const shown = Math.min(heldCount, options.heldOutLimit);
  return {
    train,
    heldOut: dataset(loaded.count - heldCount, shown),
    heldOutName: `last ${heldCount} examples of ${options.source}${shown < heldCount ? ` (first ${shown})` : ''}`,
    exampleShape,
  };
}

/** Data for `eval` and `reconstruct`: MNIST's test split or a whole file, shaped for the saved model. */
export function loadEvaluationData(options: {
  source: string;
  likelihood: Likelihood;
  binarize: Binarization;
  seed: number;
  expectedShape: readonly number[];
  limit?: number;
}): Dataset {
  if (isMnist(options.source)) {
    return mnistDataset({
      split: 'test',
      binarization: options.binarize,
      seed: options.seed,
      shape: mnistShapeFor(options.expectedShape),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
    });
  }
  const loaded = loadUserData(options.source, options.likelihood, options.binarize, options.expectedShape);
  const count = options.limit !== undefined ? Math.min(options.limit, loaded.count) : loaded.count;
  const size = exampleSize(options.expectedShape);
  return createImageDataset({
    images: loaded.data.subarray(0, count * size),
    count,
    exampleShape: [...options.expectedShape],
    binarization: options.binarize,
    seed: options.seed,
  });
}

function loadUserData(
  path: string,
  likelihood: Likelihood,
  binarize: Binarization,
  expectedShape: readonly number[] | undefined,
): LoadedData {
  // A device or a pipe (/dev/zero, a FIFO) would be read forever: only files and folders are data.
  let stat: Stats | null;
  try {
    stat = statSync(path);
  } catch {
    stat = null; // loadDataFile says what is wrong with the path
  }
  if (stat && !stat.isFile() && !stat.isDirectory()) {
    throw new DataError(`--data ${path} is not a regular file or a folder (a device or a pipe?); give a .npy or .csv file, or a folder of PNGs`);
  }
  return loadDataFile(path, { likelihood, binarize, ...(expectedShape ? { expectedShape } : {}) });
}

/** MLPs take flat vectors; convolutions need [h, w, c] (a [h, w] picture gets one channel). */
function shapeForModel(loaded: LoadedData, image: boolean, source: string): number[] {
  const shape = loaded.exampleShape;
  if (!image) return [exampleSize(shape)];
  if (shape.length === 3) return [...shape];
  if (shape.length === 2) return [shape[0]!, shape[1]!, 1];
  throw new DataError(
    `${source} holds examples of shape [${shape.join(', ')}], but --conv needs images ([height, width] or ` +
      '[height, width, channels]); drop --conv to train an MLP on flat vectors',
  );
}

function mnistShapeFor(expected: readonly number[]): 'flat' | 'image' {
  if (sameShape(expected, MNIST_FLAT)) return 'flat';
  if (sameShape(expected, MNIST_IMAGE)) return 'image';
  throw new DataError(
    `the model expects examples of shape [${expected.join(', ')}], but MNIST examples are [784] or [28, 28, 1]; ` +
      'pass the data the model was trained on with --data',
  );
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function exampleSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The data a command evaluates a saved model on: `--data` (default the MNIST test split) checked against the model. */
export function evaluationDataFor(
  model: VaeModel,
  flags: { data: string; binarize?: string | undefined },
  seed: number,
  limit: number | undefined,
): Dataset {
  const likelihood = likelihoodOf(model);
  return loadEvaluationData({
    source: flags.data,
    likelihood,
    binarize: resolveBinarization(flags.binarize, flags.data, likelihood),
    seed,
    expectedShape: model.inputShape,
    ...(limit !== undefined ? { limit } : {}),
  });
}
