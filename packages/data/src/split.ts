import type { Dataset } from '@vaekit/core';
import { SeededRandom } from '@vaekit/core';
import { DataError } from './data-error.js';
import { createImageDataset } from './image-dataset.js';
import { formatShape, shapeSize } from './shape.js';
import type { Binarization, LoadedData } from './types.js';

/**
 * Which rows to hold out:
 * - `{ heldOutFraction, seed }`: floor(count x fraction) rows drawn at random, the same rows for the
 *   same seed and count on every machine;
 * - `{ heldOutIndices }`: exactly these rows.
 */
export type SplitSpec = { readonly heldOutFraction: number; readonly seed: number } | { readonly heldOutIndices: readonly number[] };

/** Row indices of a split, each list in increasing order; together they are every row exactly once. */
export interface Split {
  readonly train: number[];
  readonly heldOut: number[];
}

/** Splits rows 0..count-1 into training and held-out rows by `spec`; throws a DataError for a bad spec. */
export function splitIndices(count: number, spec: SplitSpec): Split {
  if (!Number.isInteger(count) || count < 0) throw new DataError(`count must be a non-negative integer, got ${count}`);
  const held = 'heldOutIndices' in spec ? checkedIndices(count, spec.heldOutIndices) : randomRows(count, spec);
  const isHeld = new Uint8Array(count);
  for (const i of held) isHeld[i] = 1;
  const train: number[] = [];
  for (let i = 0; i < count; i++) if (!isHeld[i]) train.push(i);
  return { train, heldOut: held };
}

function randomRows(count: number, spec: { heldOutFraction: number; seed: number }): number[] {
  const { heldOutFraction: fraction, seed } = spec;
  if (typeof fraction !== 'number' || !(fraction >= 0 && fraction < 1)) {
    throw new DataError(`heldOutFraction must be a number in [0, 1) (0.1 holds out a tenth), got ${String(fraction)}`);
  }
  if (!Number.isInteger(seed) || seed < 0) throw new DataError(`seed must be a non-negative integer, got ${String(seed)}`);
  const held = Math.floor(count * fraction);
  // A partial Fisher-Yates shuffle: the first `held` places of a seeded permutation, without building it.
  const rng = new SeededRandom(seed);
  const moved = new Map<number, number>();
  const rows: number[] = [];
  for (let i = 0; i < held; i++) {
    const j = i + Math.floor(rng.nextFloat() * (count - i));
    rows.push(moved.get(j) ?? j);
    moved.set(j, moved.get(i) ?? i);
  }
  return rows.sort((a, b) => a - b);
}

function checkedIndices(count: number, indices: readonly number[]): number[] {
  if (!Array.isArray(indices)) throw new DataError('heldOutIndices must be an array of row indices');
  const seen = new Set<number>();
  indices.forEach((index, at) => {
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new DataError(`heldOutIndices[${at}] is ${String(index)}, not a row of the data: rows are whole numbers in [0, ${count})`);
    }
    if (seen.has(index)) throw new DataError(`heldOutIndices[${at}] repeats row ${index}; list each held-out row once`);
    seen.add(index);
  });
  return [...seen].sort((a, b) => a - b);
}

/** The rows at `indices` of `loaded`, copied in that order into a data set of their own. */
export function selectRows(loaded: LoadedData, indices: readonly number[]): LoadedData {
  const size = shapeSize(loaded.exampleShape);
  if (loaded.data.length !== loaded.count * size) {
    throw new DataError(`expected ${loaded.count} examples of shape ${formatShape(loaded.exampleShape)}, got ${loaded.data.length} values`);
  }
  const data = new Float32Array(indices.length * size);
  indices.forEach((index, row) => {
    if (!Number.isInteger(index) || index < 0 || index >= loaded.count) {
      throw new RangeError(`row ${index} is outside [0, ${loaded.count})`);
    }
    data.set(loaded.data.subarray(index * size, (index + 1) * size), row * size);
  });
  return { data, count: indices.length, exampleShape: [...loaded.exampleShape] };
}

export interface SplitDatasetsOptions {
  /** How each batch's pixels become model inputs (see `createImageDataset`). */
  binarization: Binarization;
  /** Seed of `static` binarization's one-off draw. Default 0. */
  seed?: number;
  /** The example shape the datasets give (same number of values as the data's). Default: the data's. */
  exampleShape?: readonly number[];
}

/**
 * Two datasets from one loaded data set: its training rows and its held-out rows by `spec`, each a
 * copy (the loaded data may be dropped afterwards). `split` says which rows went where.
 */
export function splitDatasets(
  loaded: LoadedData,
  spec: SplitSpec,
  options: SplitDatasetsOptions,
): { train: Dataset; heldOut: Dataset; split: Split } {
  const split = splitIndices(loaded.count, spec);
  const exampleShape = [...(options.exampleShape ?? loaded.exampleShape)];
  if (shapeSize(exampleShape) !== shapeSize(loaded.exampleShape)) {
    throw new DataError(`exampleShape ${formatShape(exampleShape)} does not hold the ${shapeSize(loaded.exampleShape)} values of an example of shape ${formatShape(loaded.exampleShape)}`);
  }
  const dataset = (rows: readonly number[]): Dataset => {
    const part = selectRows(loaded, rows);
    return createImageDataset({ images: part.data, count: part.count, exampleShape, binarization: options.binarization, seed: options.seed ?? 0 });
  };
  return { train: dataset(split.train), heldOut: dataset(split.heldOut), split };
}
