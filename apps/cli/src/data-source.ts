import { statSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import type { Dataset, VaeModel } from '@vaekit/core';
import { supportOf, type LikelihoodAdvice, type LikelihoodChoice, type PictureChannels } from '@vaekit/data';
import { createImageDataset, DataError, loadDataFile, mnistDataset, selectRows, type Binarization, type LoadedData } from '@vaekit/data/node';
import { choiceFlag } from './args.js';
import { UsageError } from './errors.js';
import { likelihoodOf } from './models.js';
import type { RunFacts } from './run-facts.js';
import { applySplit, describeSplit, freshSplit, tailSplit, type SplitRecord } from './held-out-rows.js';

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
export function resolveBinarization(requested: string | undefined, source: string, likelihood: LikelihoodChoice): Binarization {
  if (requested === undefined) return isMnist(source) && supportOf(likelihood) === 'binary' ? 'dynamic' : 'none';
  if (!(BINARIZATIONS as readonly string[]).includes(requested)) {
    throw new UsageError(`unknown --binarize '${requested}': use ${BINARIZATIONS.join(', ')}`);
  }
  return requested as Binarization;
}

export interface TrainingData {
  train: Dataset;
  /** Examples the model does not train on: MNIST's test split, or the tail of a user's file. */
  heldOut: Dataset;
  /** Words for messages and metrics: "MNIST test split (2000)", "100 random rows (10%, seed 0) of digits.npy". */
  heldOutName: string;
  exampleShape: number[];
  /** The rows of a user's file held out (null for MNIST, whose held-out data is its test split). */
  split: SplitRecord | null;
}

export interface TrainingDataOptions {
  source: string;
  likelihood: LikelihoodChoice;
  binarize: Binarization;
  seed: number;
  limit?: number;
  /** Examples must be images [h, w, c] (convolutional encoders) rather than flat vectors. */
  image: boolean;
  /** When resuming, the shape the saved model expects; the data must fit it. */
  expectedShape?: readonly number[];
  /** Cap on held-out examples: validation and pictures run on at most this many. */
  heldOutLimit: number;
  /** Values per pixel of PNG data. Default 1. */
  channels?: PictureChannels;
  /**
   * The rows to hold out of a user's file: a resumed run's record, `tail` for a run saved before runs
   * recorded their split, or absent for a fresh run (a tenth at random, from `seed`).
   */
  split?: SplitRecord | 'tail';
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
    return { train, heldOut, heldOutName: `MNIST test split (first ${heldOut.size})`, exampleShape: [...train.exampleShape], split: null };
  }

  const loaded = loadUserData(options.source, options.likelihood, options.binarize, options.expectedShape, options.channels);
  const exampleShape = options.expectedShape ? [...options.expectedShape] : shapeForModel(loaded, options.image, options.source);
  const record =
    options.split === 'tail' ? tailSplit(loaded.count) : (options.split ?? freshSplit(loaded.count, options.seed));
  const split = applySplit(record, loaded.count, options.source);
  const trainRows = options.limit !== undefined ? split.train.slice(0, options.limit) : split.train;
  const dataset = (rows: readonly number[]): Dataset =>
    createImageDataset({
      images: selectRows(loaded, rows).data,
      count: rows.length,
      exampleShape,
      binarization: options.binarize,
      seed: options.seed,
    });
  const train = dataset(trainRows);
  // A file too small to spare a tenth is validated on its own training examples (and the metrics say so).
  if (split.heldOut.length === 0) {
    return {
      train,
      heldOut: train,
      heldOutName: `${options.source} (training examples: too few to hold any out)`,
      exampleShape,
      split: record,
    };
  }
  const shown = split.heldOut.slice(0, options.heldOutLimit);
  return {
    train,
    heldOut: dataset(shown),
    heldOutName: `${describeSplit(record, split.heldOut.length)} of ${options.source}${shown.length < split.heldOut.length ? ` (first ${shown.length})` : ''}`,
    exampleShape,
    split: record,
  };
}

/** Which rows of a user's file `eval` and `reconstruct` use: those the run held out, or every one. */
export type EvaluationRows = 'held-out' | 'all';
export const EVALUATION_ROWS: readonly EvaluationRows[] = ['held-out', 'all'];

/** Data for `eval` and `reconstruct`: MNIST's test split, or a file's held-out or every row, shaped for the saved model. */
export function loadEvaluationData(options: {
  source: string;
  likelihood: LikelihoodChoice;
  binarize: Binarization;
  seed: number;
  expectedShape: readonly number[];
  limit?: number;
  channels?: PictureChannels;
  /** The rows the run held out: given, only those are used. */
  heldOut?: SplitRecord | 'tail';
  /** How a refused value can be fixed, in the command's flags. */
  advice?: LikelihoodAdvice;
}): { data: Dataset; rows: string } {
  if (isMnist(options.source)) {
    const data = mnistDataset({
      split: 'test',
      binarization: options.binarize,
      seed: options.seed,
      shape: mnistShapeFor(options.expectedShape),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
    });
    return { data, rows: `MNIST test split (first ${data.size})` };
  }
  const loaded = loadUserData(options.source, options.likelihood, options.binarize, options.expectedShape, options.channels, options.advice);
  let rows = Array.from({ length: loaded.count }, (_, i) => i);
  let name = `all ${loaded.count} rows of ${options.source}`;
  if (options.heldOut !== undefined) {
    const record = options.heldOut === 'tail' ? tailSplit(loaded.count) : options.heldOut;
    const held = applySplit(record, loaded.count, options.source).heldOut;
    if (held.length === 0) {
      throw new DataError(
        `the run held out no rows of ${options.source} (too few to spare), so there are no held-out rows to use; pass --rows all to use every row`,
      );
    }
    rows = held;
    name = `the run's held-out rows of ${options.source}: ${describeSplit(record, held.length)}`;
  }
  if (options.limit !== undefined && options.limit < rows.length) {
    rows = rows.slice(0, options.limit);
    name += ` (first ${rows.length})`;
  }
  const data = createImageDataset({
    images: selectRows(loaded, rows).data,
    count: rows.length,
    exampleShape: [...options.expectedShape],
    binarization: options.binarize,
    seed: options.seed,
  });
  return { data, rows: name };
}

function loadUserData(
  path: string,
  likelihood: LikelihoodChoice,
  binarize: Binarization,
  expectedShape: readonly number[] | undefined,
  channels: PictureChannels | undefined,
  advice?: LikelihoodAdvice,
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
  return loadDataFile(path, {
    likelihood,
    binarize,
    ...(expectedShape ? { expectedShape } : {}),
    ...(channels !== undefined ? { png: { channels } } : {}),
    ...(advice ? { advice } : {}),
  });
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

/**
 * The data a command evaluates a saved model on. Without `--data`, the run's own data; on the run's
 * own file, the rows it held out and its binarization, unless `--rows all` or `--binarize` say otherwise.
 * Without a run, `--data` (default the MNIST test split), every row, the standard binarization.
 */
export function evaluationDataFor(
  model: VaeModel,
  flags: { data?: string | undefined; binarize?: string | undefined; rows?: string | undefined },
  run: RunFacts | null,
  seed: number,
  limit: number | undefined,
): { data: Dataset; source: string; rows: string } {
  const likelihood = likelihoodOf(model);
  const source = flags.data ?? run?.data ?? 'mnist';
  const ownData = run !== null && (isMnist(source) ? isMnist(run.data) : !isMnist(run.data) && resolve(source) === resolve(run.data));
  const rows = choiceFlag('rows', flags.rows, EVALUATION_ROWS);
  if (rows === 'held-out' && !ownData && !isMnist(source)) {
    throw new UsageError(
      `--rows held-out needs the run that trained the model on ${source}: pass --run with its folder, or the model.vaekit inside it`,
    );
  }
  const binarize =
    flags.binarize === undefined && ownData ? run.binarize : resolveBinarization(flags.binarize, source, likelihood);
  const channels = run?.channels ?? imageChannels(model.inputShape);
  const heldOut = ownData && !isMnist(source) && rows !== 'all' ? run.split : undefined;
  const loaded = loadEvaluationData({
    source,
    likelihood,
    binarize,
    seed,
    expectedShape: model.inputShape,
    ...(limit !== undefined ? { limit } : {}),
    ...(channels !== undefined ? { channels } : {}),
    ...(heldOut !== undefined ? { heldOut } : {}),
    advice: {
      outOfRange: `scale it the way the model's training data was (its ${likelihood.type} likelihood is fixed when it is trained)`,
      notBinary: `pass --binarize dynamic (the model's ${likelihood.type} likelihood is fixed when it is trained)`,
    },
  });
  return { data: loaded.data, source, rows: loaded.rows };
}

/** The PNG channels an image model's input shape implies; undefined for flat inputs. */
function imageChannels(shape: readonly number[]): PictureChannels | undefined {
  const c = shape.length === 3 ? shape[2] : undefined;
  return c === 1 || c === 3 || c === 4 ? c : undefined;
}
