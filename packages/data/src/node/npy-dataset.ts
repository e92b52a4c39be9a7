import { tensor, type Tensor } from '@tensorflow/tfjs-core';
import type { AsyncDataset } from '@vaekit/core';
import { mixSeed } from '@vaekit/core/internal';
import { DataError } from '../data-error.js';
import { binarizeInto } from '../image-dataset.js';
import { formatShape, shapeSize } from '../shape.js';
import { checkSupport } from '@vaekit/core';
import type { Binarization, LikelihoodChoice } from '../types.js';
import { supportOf } from '../validate.js';
import { openNpyFile } from './npy-file.js';
import { readRows } from './npy-rows.js';

export interface NpyDatasetOptions {
  /**
   * How values become what the model sees, as in `createImageDataset`: `dynamic` draws each example's
   * pixels anew from every batch's seed, `static` draws them once per example from (`seed`, example
   * index), the same draw `createImageDataset` makes, `none` passes values through. Binarizing needs
   * intensities in [0, 1]. Default `none`.
   */
  binarization?: Binarization;
  /** Seed of the `static` draw. Default 0. */
  seed?: number;
  /**
   * What a uint8 ('u1') file holds: `intensity`, 8-bit pixels scaled by 1/255 (as `createImageDataset`
   * treats a Uint8Array, and `loadNpy` by default), or `raw`, the numbers 0-255 as they are. Other
   * dtypes are always read as they are. Default `intensity`.
   */
  uint8?: 'intensity' | 'raw';
  /**
   * The example shape the model expects. Examples with the same number of values are reshaped to it
   * (row-major), any other shape is refused when the file is opened. Default: the file's own.
   */
  exampleShape?: readonly number[];
  /**
   * Check every batch as it is read against this likelihood's support: a Bernoulli one needs values in
   * {0, 1} unless they are binarized (then `binary` is true), a discretized logistic 8-bit levels, and so
   * on. Values are always checked to be finite, and to lie in [0, 1] when binarized. A failed check
   * rejects the batch with a DataError naming the example.
   */
  likelihood?: LikelihoodChoice;
}

/**
 * A data set read from a file as its batches are asked for, never held in memory whole. It holds an
 * open file: `close()` it when done (it waits for reads in flight); a batch asked for afterwards rejects.
 */
export interface StreamingDataset extends AsyncDataset {
  batch(indices: readonly number[], seed: number): Promise<Tensor>;
  close(): Promise<void>;
}

/**
 * Opens a .npy file (C order, shape (examples, ...), any dtype `parseNpy` reads) as a `StreamingDataset`:
 * the header is read and checked now, and each batch reads only its own rows, by byte range, through
 * one open file handle. Memory stays at a few batches whatever the file's size, and a batch is exactly
 * the one `createImageDataset` would give over the same values with the same options.
 */
export async function openNpyDataset(path: string, options: NpyDatasetOptions = {}): Promise<StreamingDataset> {
  const binarization = options.binarization ?? 'none';
  if (binarization !== 'dynamic' && binarization !== 'static' && binarization !== 'none') {
    throw new DataError(`unknown binarization '${String(binarization)}': use dynamic, static or none`);
  }
  const uint8 = options.uint8 ?? 'intensity';
  if (uint8 !== 'intensity' && uint8 !== 'raw') throw new DataError(`uint8 must be 'intensity' or 'raw', got '${String(uint8)}'`);
  // An unknown likelihood is refused here, when the file is opened, not at the first batch.
  const support = options.likelihood === undefined ? undefined : supportOf(options.likelihood);
  const bernoulli = support === 'binary';
  const staticSeed = options.seed ?? 0;
  if (!Number.isFinite(staticSeed)) throw new DataError(`seed must be a finite number, got ${staticSeed}`);

  const file = await openNpyFile(path);
  const { handle, layout, source } = file;
  const exampleSize = shapeSize(layout.exampleShape);
  let exampleShape = layout.exampleShape;
  if (options.exampleShape !== undefined) {
    if (shapeSize(options.exampleShape) !== exampleSize) {
      await handle.close();
      throw new DataError(`expected examples of shape ${formatShape(options.exampleShape)}, got ${formatShape(exampleShape)} in ${source}`);
    }
    exampleShape = [...options.exampleShape];
  }
  const bytes = layout.element.code === 'u1';
  // Bytes read as intensities compare against 255 directly; any other values are decoded to floats first.
  const intensityBytes = bytes && uint8 === 'intensity';
  const scale = bytes && uint8 === 'intensity' ? 1 / 255 : 1;
  const binarized = binarization !== 'none';
  const rowLayout = { dataOffset: layout.dataOffset, rowBytes: exampleSize * layout.element.bytes, count: layout.count };
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  /** Example values as numbers, checked; for intensity bytes the bytes themselves (already in range). */
  const valuesOf = (rows: Uint8Array, indices: readonly number[]): Uint8Array | Float32Array => {
    if (intensityBytes) {
      if (!binarized && bernoulli) checkBinary(rows, indices, 255);
      return rows;
    }
    const view = new DataView(rows.buffer, rows.byteOffset, rows.byteLength);
    const { read, bytes: width } = layout.element;
    const values = new Float32Array(indices.length * exampleSize);
    for (let i = 0; i < values.length; i++) values[i] = read(view, i * width, layout.littleEndian);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) throw new DataError(`${source} has a non-finite value (${v}) in ${where(indices, i)}; remove or replace it`);
      if ((binarized || bernoulli) && !(v >= 0 && v <= 1)) {
        const hint = v > 1 && v <= 255 ? ` (8-bit pixel values? divide them by 255${bytes ? " or open the file with uint8: 'intensity'" : ''})` : '';
        const need = binarized ? `binarization ${binarization} needs intensities in [0, 1]` : 'a Bernoulli likelihood needs values in [0, 1]';
        throw new DataError(`${source} has ${v} in ${where(indices, i)}${hint}, but ${need}`);
      }
    }
    if (!binarized && bernoulli) checkBinary(values, indices, 1);
    if (!binarized && support !== undefined && !bernoulli) {
      const problem = checkSupport(support, values);
      if (problem !== undefined) throw new DataError(`${source}, in a batch of examples ${indices.slice(0, 3).join(', ')}…: ${problem}`);
    }
    return values;
  };

  const checkBinary = (values: Uint8Array | Float32Array, indices: readonly number[], one: number): void => {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v !== 0 && v !== one) {
        throw new DataError(
          `${source} has a value that is not 0 or 1 in ${where(indices, i)} (${v * (1 / one)}), and a Bernoulli likelihood ` +
            `without binarization needs exactly 0 or 1; binarize it (dynamic binarization) or choose a likelihood for grey levels`,
        );
      }
    }
  };

  const where = (indices: readonly number[], flat: number): string =>
    `example ${indices[Math.floor(flat / exampleSize)]} (value ${flat % exampleSize})`;

  const build = async (indices: readonly number[], batchSeed: number): Promise<Tensor> => {
    const rows = await readRows(handle, rowLayout, indices, source);
    const values = valuesOf(rows, indices);
    const out = new Float32Array(indices.length * exampleSize);
    indices.forEach((index, row) => {
      const offset = row * exampleSize;
      if (binarization === 'dynamic') binarizeInto(out, offset, values, row, exampleSize, mixSeed(batchSeed, index));
      else if (binarization === 'static') binarizeInto(out, offset, values, row, exampleSize, mixSeed(staticSeed, index));
      else for (let k = 0; k < exampleSize; k++) out[offset + k] = values[offset + k]! * scale;
    });
    // The tensor is made last, so a failed read or check leaves nothing to dispose.
    return tensor(out, [indices.length, ...exampleShape], 'float32');
  };

  return {
    size: layout.count,
    exampleShape,
    binary: binarized || bernoulli,
    batch(indices, batchSeed) {
      if (closed) return Promise.reject(new DataError(`${source} is closed: open it again to read more batches`));
      const pending = build(indices, batchSeed);
      const settled = pending.then(
        () => undefined,
        () => undefined,
      );
      inFlight.add(settled);
      void settled.then(() => inFlight.delete(settled));
      return pending;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(inFlight);
      await handle.close();
    },
  };
}
