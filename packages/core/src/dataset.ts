import type * as tf from '@tensorflow/tfjs-core';
import { prefetchBatches, type BatchRequest } from './prefetch.js';
import { SeededRandom } from './random.js';

/**
 * A finite collection of examples whose batches may arrive asynchronously: read from a file by byte
 * range, fetched over the network, decoded on demand. `train`, `evaluate` and `iterateBatches` take
 * one; every in-memory `Dataset` is one too, so a synchronous data set needs no change.
 *
 * Implementations own how examples are stored and transformed (e.g. dynamic binarization); the caller
 * owns, and must dispose, every tensor `batch` returns or resolves to.
 *
 * Readers prefetch: they call `batch` for the next few planned batches before the current one is
 * used, so several calls may be in flight at once, and a batch read ahead of a stop is disposed
 * unused. `batch` must therefore be a function of its arguments only (never of call order), which is
 * also what keeps seeded runs and resumes exact.
 */
export interface AsyncDataset {
  /** Number of examples. */
  readonly size: number;
  /** Shape of one example, without the batch dimension, e.g. [28, 28, 1] or [784]. */
  readonly exampleShape: readonly number[];
  /** Whether every value is already in {0, 1} (so a Bernoulli likelihood accepts it as is). */
  readonly binary: boolean;
  /**
   * The examples at `indices`, stacked into a float32 tensor of shape [indices.length, ...exampleShape],
   * returned directly or through a promise. `seed` drives any randomness in the transform (dynamic
   * binarization), so a batch is reproducible. An asynchronous implementation should create the tensor
   * last, after its I/O, so that a failed read rejects without leaving a tensor behind.
   */
  batch(indices: readonly number[], seed: number): tf.Tensor | Promise<tf.Tensor>;
}

/**
 * A data set held in memory, whose batches are built synchronously. It is an `AsyncDataset` whose
 * `batch` returns the tensor directly, so code that needs a tensor at once (a preview, a test) can call
 * it without awaiting.
 */
export interface Dataset extends AsyncDataset {
  /**
   * The examples at `indices`, stacked into a float32 tensor of shape [indices.length, ...exampleShape].
   * `seed` drives any randomness in the transform (dynamic binarization), so a batch is reproducible.
   */
  batch(indices: readonly number[], seed: number): tf.Tensor;
}

/**
 * What a training checkpoint records about a data set, so a resume can tell it is training on the same
 * examples: the size and example shape, and a SHA-256 content hash of the examples as `batch` returns
 * them. Small data is hashed whole; large data by a fixed sample of examples spread over all of it, so
 * another data set of the same length (a replaced file) is told apart at the cost of a few batches.
 */
export interface DataFingerprint {
  readonly size: number;
  readonly exampleShape: readonly number[];
  /** Examples hashed: all of them up to `FINGERPRINT_SAMPLE`, else a fixed sample of that many. */
  readonly hashed: number;
  /** Hex SHA-256 over the hashed examples' values, read with one fixed batch seed. */
  readonly hash: string;
}

/** Examples a fingerprint hashes at most: about 3 MB of MNIST, a few milliseconds to read and hash. */
export const FINGERPRINT_SAMPLE = 1024;
// Fixed so every fingerprint of one data set reads the same values, whatever run or seed asks for it:
// a transform such as dynamic binarization is then part of what is hashed, and repeats exactly.
const FINGERPRINT_SEED = 0x5a3c_9e11;
const FINGERPRINT_CHUNK = 128;

/** Size, shape and a content hash of `data` (sampled beyond `FINGERPRINT_SAMPLE` examples). Browser-safe. */
export async function datasetFingerprint(data: AsyncDataset): Promise<DataFingerprint> {
  const indices = fingerprintIndices(data.size);
  // Web Crypto has no incremental SHA-256: hash each chunk, then the chunk digests with the size and shape.
  const parts: Uint8Array[] = [new TextEncoder().encode(JSON.stringify({ size: data.size, exampleShape: data.exampleShape }))];
  const chunks: BatchRequest[] = [];
  for (let start = 0; start < indices.length; start += FINGERPRINT_CHUNK) {
    chunks.push({ indices: indices.slice(start, start + FINGERPRINT_CHUNK), seed: FINGERPRINT_SEED });
  }
  const reader = prefetchBatches(data, chunks);
  try {
    for (let batch = await reader.next(); batch; batch = await reader.next()) {
      let values: ArrayBufferView;
      try {
        values = await batch.data();
      } finally {
        batch.dispose();
      }
      parts.push(await sha256(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)));
    }
  } finally {
    await reader.close();
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  parts.reduce((offset, p) => (all.set(p, offset), offset + p.byteLength), 0);
  const hash = Array.from(await sha256(all), (b) => b.toString(16).padStart(2, '0')).join('');
  return { size: data.size, exampleShape: [...data.exampleShape], hashed: indices.length, hash };
}

/** Every index of small data; for large data a fixed uniform sample, in increasing order. */
function fingerprintIndices(size: number): number[] {
  if (size <= FINGERPRINT_SAMPLE) return Array.from({ length: size }, (_, i) => i);
  // A partial Fisher-Yates draw with a fixed seed: uniform over the data, the same sample every time.
  const rng = new SeededRandom(FINGERPRINT_SEED);
  const picked = new Map<number, number>();
  const sample: number[] = [];
  for (let i = 0; i < FINGERPRINT_SAMPLE; i++) {
    const j = i + Math.floor(rng.nextFloat() * (size - i));
    sample.push(picked.get(j) ?? j);
    picked.set(j, picked.get(i) ?? i);
  }
  return sample.sort((a, b) => a - b);
}

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  // Web Crypto takes only ArrayBuffer-backed views; copy when the bytes live elsewhere.
  const input = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', input));
}
