import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tensor, type Tensor } from '@tensorflow/tfjs-core';
import { SeededRandom, type AsyncDataset } from '@vaekit/core';
import { mixSeed } from '@vaekit/core/internal';
import { DataError } from '../data-error.js';
import { formatShape, shapeSize } from '../shape.js';
import type { Binarization } from '../types.js';
import { checkChannels, decodePngInto, type PngChannels } from './png-decode.js';
import { scanPngFolder } from './png-folder-scan.js';
import { readPngHeader } from './png-header.js';
import { resolvePngLimits, type PngLimits } from './png-limits.js';

export interface PngFolderDatasetOptions {
  /** 1 (grey, the default), 3 (RGB) or 4 (RGBA); see `PngChannels` for how files are converted. */
  channels?: PngChannels;
  /**
   * How intensities become model inputs, as in `createImageDataset`: `none` (the default) passes them
   * through; `dynamic` draws each pixel as Bernoulli(intensity) afresh per batch seed; `static` draws it
   * once per example (from `seed`), the same in every batch.
   */
  binarization?: Binarization;
  /** Seed of `static` binarization. Default 0. */
  seed?: number;
  /** The shape examples are given in; same number of values as [height, width, channels]. Default that. */
  exampleShape?: readonly number[];
  /** Size limits of each image (`maxFolderPixels` does not apply: the folder is never held whole). */
  limits?: Partial<PngLimits>;
}

/**
 * A folder of same-sized PNGs as a dataset that decodes only the images each batch asks for, so a
 * folder far larger than memory trains. Every header is read and checked when the dataset is made
 * (names sorted as `loadPngFolder` sorts them, one example each); `batch` then reads and decodes its
 * files and resolves to a [n, ...exampleShape] tensor. A file that has become unreadable or changed size
 * rejects the batch with a DataError naming it.
 */
export function pngFolderDataset(dir: string, options: PngFolderDatasetOptions = {}): AsyncDataset {
  const channels = checkChannels(options.channels ?? 1);
  const limits = resolvePngLimits(options.limits);
  const binarization = options.binarization ?? 'none';
  if (binarization !== 'none' && binarization !== 'dynamic' && binarization !== 'static') {
    throw new DataError(`unknown binarization '${String(binarization)}': use dynamic, static or none`);
  }
  const scan = scanPngFolder(dir, limits);
  const imageShape = [scan.height, scan.width, channels];
  const exampleShape = [...(options.exampleShape ?? imageShape)];
  const exampleSize = shapeSize(imageShape);
  if (shapeSize(exampleShape) !== exampleSize) {
    throw new DataError(`exampleShape ${formatShape(exampleShape)} does not hold the ${exampleSize} values of a ${formatShape(imageShape)} image`);
  }
  const staticSeed = options.seed ?? 0;
  const count = scan.names.length;

  const decode = async (index: number, out: Float32Array, offset: number, batchSeed: number): Promise<void> => {
    const name = scan.names[index] as string;
    let bytes: Buffer;
    try {
      bytes = await readFile(join(dir, name));
    } catch (error) {
      throw new DataError(`cannot read ${join(dir, name)}: ${(error as Error).message}`, { cause: error });
    }
    const header = readPngHeader(bytes, name, limits);
    if (header.width !== scan.width || header.height !== scan.height) {
      throw new DataError(`${name} changed after its folder was opened: it is now ${header.width}x${header.height}, not ${scan.width}x${scan.height}`);
    }
    decodePngInto(bytes, header, name, channels, out, offset);
    if (binarization === 'none') return;
    // The same draws as createImageDataset's: per example, from (batch seed or static seed, index).
    const rng = new SeededRandom(mixSeed(binarization === 'dynamic' ? batchSeed : staticSeed, index));
    for (let k = offset; k < offset + exampleSize; k++) out[k] = rng.nextFloat() < (out[k] as number) ? 1 : 0;
  };

  return {
    size: count,
    exampleShape,
    // Unknown without decoding every image; binarized batches are binary by construction.
    binary: binarization !== 'none',
    async batch(indices: readonly number[], batchSeed: number): Promise<Tensor> {
      for (const index of indices) {
        if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`example index ${index} is outside [0, ${count})`);
      }
      const out = new Float32Array(indices.length * exampleSize);
      await Promise.all(indices.map((index, row) => decode(index, out, row * exampleSize, batchSeed)));
      // Made last, after the reads, so a failed read leaves no tensor behind.
      return tensor(out, [indices.length, ...exampleShape], 'float32');
    },
  };
}
