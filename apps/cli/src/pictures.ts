import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom, type Dataset, type VaeModel } from '@vaekit/core';
import { tileImages, writePng, type GrayImage } from '@vaekit/data/node';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isFsError, RunError, UsageError } from './errors.js';
import { specialFileSystem } from './special-file-system.js';

/** Height and width of one picture, or null when examples are not single-channel images. */
export type PictureShape = readonly [height: number, width: number];

/**
 * How to draw one example: [h, w] and [h, w, 1] are pictures as they are; a flat vector whose length is
 * a perfect square (MNIST's 784) is drawn as a square. Anything else has no natural picture.
 */
export function pictureShape(exampleShape: readonly number[]): PictureShape | null {
  const [a, b, c] = exampleShape;
  if (exampleShape.length === 3 && c === 1) return [a!, b!];
  if (exampleShape.length === 2) return [a!, b!];
  if (exampleShape.length === 1) {
    const side = Math.round(Math.sqrt(a!));
    if (side * side === a) return [side, side];
  }
  return null;
}

async function readAndDispose(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

/** n samples from the prior in a grid; the same seed gives the same latent draws, so grids compare over epochs. */
export async function samplesPicture(model: VaeModel, n: number, seed: number, shape: PictureShape): Promise<GrayImage> {
  const values = await readAndDispose(model.sample(n, new SeededRandom(seed)));
  return tileImages(values, n, shape[0], shape[1], { columns: Math.min(n, 8) });
}

/** The examples at the start of `data` (at most n) and their reconstructions, in alternating rows. */
export async function reconstructionsPicture(
  model: VaeModel,
  data: Dataset,
  n: number,
  seed: number,
  shape: PictureShape,
  columns = 8,
): Promise<GrayImage> {
  const count = Math.min(n, data.size);
  const x = data.batch(range(count), seed);
  let originals: Float32Array;
  let reconstructions: Float32Array;
  try {
    originals = await readAndDispose(x.clone());
    reconstructions = await readAndDispose(model.reconstruct(x));
  } finally {
    x.dispose();
  }
  const pixels = shape[0] * shape[1];
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
  return tileImages(out, rows * 2 * cols, shape[0], shape[1], { columns: cols });
}

/**
 * Rows that walk in a straight line between the latent codes (posterior means) of pairs of examples,
 * decoded to the likelihood's mean: a smooth row means a smooth latent space.
 */
export async function interpolationPicture(
  model: VaeModel,
  data: Dataset,
  pairs: number,
  steps: number,
  seed: number,
  shape: PictureShape,
): Promise<GrayImage | null> {
  const rows = Math.min(pairs, Math.floor(data.size / 2));
  if (rows < 1) return null;
  const x = data.batch(range(2 * rows), seed);
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
  return tileImages(values, rows * steps, shape[0], shape[1], { columns: steps });
}

/**
 * Writes the PNG. A failed write (disk full, read-only) stays a file-system error, so callers can add
 * what it means for them (train: the last checkpoint), but it names `path`, not its temporary twin.
 */
export function savePicture(path: string, image: GrayImage): void {
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
