import * as tf from '@tensorflow/tfjs-core';
import { drawSamples, SeededRandom, type AsyncDataset, type LatentSampler, type VaeModel } from '@vaekit/core';
import { pictureShapeOf, type PictureShape } from '@vaekit/data';
import { tileImages, writePng, type Picture } from '@vaekit/data/node';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isFsError, RunError, UsageError } from './errors.js';
import { specialFileSystem } from './special-file-system.js';

export type { PictureShape } from '@vaekit/data';

/** Screen pixels per image pixel: a whole number, or `auto` (enlarge until a grid is about 400 pixels wide). */
export type PictureScale = number | 'auto';

/** How to draw one example of a shape, or null: data's rule, so the CLI and TensorBoard draw alike. */
export const pictureShape = pictureShapeOf;

/** tileImages for examples of `shape`, `columns` per row, enlarged by `scale`. */
function tile(values: Float32Array, count: number, shape: PictureShape, columns: number, scale: PictureScale): Picture {
  return tileImages(values, count, shape[0], shape[1], { columns, channels: shape[2], scale });
}

async function readAndDispose(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

/**
 * n samples in a grid, from the prior or from a fitted sampler's codes; the same seed gives the same
 * latent draws, so grids compare over epochs.
 */
export async function samplesPicture(
  model: VaeModel,
  n: number,
  seed: number,
  shape: PictureShape,
  scale: PictureScale = 'auto',
  sampler?: LatentSampler,
): Promise<Picture> {
  const rng = new SeededRandom(seed);
  const values = await readAndDispose(sampler ? drawSamples(model, sampler, n, rng) : model.sample(n, rng));
  return tile(values, n, shape, Math.min(n, 8), scale);
}

/** The examples at the start of `data` (at most n) and their reconstructions, in alternating rows. */
export async function reconstructionsPicture(
  model: VaeModel,
  data: AsyncDataset,
  n: number,
  seed: number,
  shape: PictureShape,
  scale: PictureScale = 'auto',
  columns = 8,
): Promise<Picture> {
  const count = Math.min(n, data.size);
  const x = await data.batch(range(count), seed);
  let originals: Float32Array;
  let reconstructions: Float32Array;
  try {
    originals = await readAndDispose(x.clone());
    reconstructions = await readAndDispose(model.reconstruct(x));
  } finally {
    x.dispose();
  }
  const pixels = shape[0] * shape[1] * shape[2];
  const cols = Math.min(columns, count);
  const rows = Math.ceil(count / cols);
  // Lay out row r of originals, then the same examples reconstructed right below, for each r.
  const out = new Float32Array(rows * 2 * cols * pixels);
  for (let i = 0; i < count; i++) {
    const r = Math.floor(i / cols);
    const c = i % cols;
    out.set(originals.subarray(i * pixels, (i + 1) * pixels), (2 * r * cols + c) * pixels);
    out.set(reconstructions.subarray(i * pixels, (i + 1) * pixels), ((2 * r + 1) * cols + c) * pixels);
  }
  return tile(out, rows * 2 * cols, shape, cols, scale);
}

/**
 * Rows that walk in a straight line between the latent codes (posterior means) of pairs of examples,
 * decoded to the likelihood's mean: a smooth row means a smooth latent space.
 */
export async function interpolationPicture(
  model: VaeModel,
  data: AsyncDataset,
  pairs: number,
  steps: number,
  seed: number,
  shape: PictureShape,
  scale: PictureScale = 'auto',
): Promise<Picture | null> {
  const rows = Math.min(pairs, Math.floor(data.size / 2));
  if (rows < 1) return null;
  const x = await data.batch(range(2 * rows), seed);
  let values: Float32Array;
  try {
    const decoded = tf.tidy(() => {
      const codes = model.encode(x);
      const flat = tf.reshape(codes, [2 * rows, -1]);
      const from = tf.slice(flat, [0, 0], [rows, -1]);
      const to = tf.slice(flat, [rows, 0], [rows, -1]);
      // t runs 0..1 along each row; [rows, steps, dims] codes, flattened to one batch for the decoder.
      const t = tf.reshape(tf.linspace(0, 1, steps), [1, steps, 1]);
      const path = tf.add(tf.expandDims(from, 1), tf.mul(t, tf.expandDims(tf.sub(to, from), 1)));
      const batch = tf.reshape(path, [rows * steps, ...codes.shape.slice(1)]);
      return model.decodeMean(batch);
    });
    values = await readAndDispose(decoded);
  } finally {
    x.dispose();
  }
  return tile(values, rows * steps, shape, steps, scale);
}

/**
 * Writes the PNG. A failed write (disk full, read-only) stays a file-system error, so callers can add
 * what it means for them (train: the last checkpoint), but it names `path`, not its temporary twin.
 */
export function savePicture(path: string, image: Picture): void {
  try {
    writePng(path, image);
  } catch (error) {
    if (isFsError(error)) {
      // Node sets `dest` on a failed rename, though ErrnoException does not declare it.
      const errno = error as NodeJS.ErrnoException & { dest?: string };
      errno.path = path;
      errno.syscall = 'write';
      delete errno.dest;
    }
    throw error;
  }
}

/**
 * Checks a `--out` PNG path before any work: not a folder, in a folder that exists, not on a kernel
 * file system. The picture is written atomically, so only the folder has to be writable.
 */
export function checkOutputFile(path: string | undefined): string {
  if (path === undefined || path.trim() === '') throw new UsageError('--out is required: the PNG file to write');
  const special = specialFileSystem(path);
  if (special) throw new RunError(`--out ${path} cannot be written: ${special}; write the PNG to a folder on a disk`);
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new RunError(`--out ${path} is a folder; give the PNG file to write, such as ${join(path, 'picture.png')}`);
  }
  const folder = dirname(resolve(path));
  if (!existsSync(folder)) throw new RunError(`cannot write ${path}: the folder ${dirname(path)} does not exist; create it first, or choose another path`);
  if (!statSync(folder).isDirectory()) throw new RunError(`cannot write ${path}: ${dirname(path)} is a file, not a folder; choose another path`);
  return path;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The model's picture shape, or a usage error naming its example shape when it is not an image. */
export function requirePictureShape(model: VaeModel): PictureShape {
  const shape = pictureShape(model.inputShape);
  if (!shape) throw new UsageError(`the model's examples have shape [${model.inputShape.join(', ')}], which is not a picture`);
  return shape;
}

/** `--scale N`: a whole number of screen pixels per image pixel; absent means `auto`. */
export function scaleFlag(raw: string | undefined): PictureScale {
  if (raw === undefined || raw === 'auto') return 'auto';
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < 1 || value > 64) {
    throw new UsageError(`--scale must be auto or a whole number from 1 to 64 (screen pixels per image pixel), got '${raw}'`);
  }
  return value;
}

export const SCALE_USAGE = '  --scale N           screen pixels per image pixel in the PNG (default auto: at least 400 wide)';
