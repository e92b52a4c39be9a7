import type * as tf from '@tensorflow/tfjs-core';
import type { AsyncDataset } from './dataset.js';

/** One planned batch: the examples it stacks and the seed of its transform (dynamic binarization). */
export interface BatchRequest {
  readonly indices: readonly number[];
  readonly seed: number;
}

/**
 * The batches a reader will ask for, in order. Read one at a time, so a plan over millions of examples
 * need not hold every batch's index list at once; a plain array of requests is one.
 */
export interface BatchPlan {
  readonly length: number;
  at(index: number): BatchRequest | undefined;
}

/** Batches read ahead of the one in use when no depth is given. */
export const DEFAULT_PREFETCH = 2;

export interface PrefetchOptions {
  /** Batches kept in flight ahead of the one handed out: 0 reads each batch only when asked. Default 2. */
  depth?: number;
  /** The plan's first batch to read (a resumed epoch starts mid-plan). Default 0. */
  start?: number;
}

/** Hands out a plan's batches in order while the next few are read. */
export interface BatchReader {
  /**
   * The next planned batch, which the caller then owns and disposes, or null when the plan is done. A
   * batch whose read failed rejects here, at its own turn, with the data set's error.
   */
  next(): Promise<tf.Tensor | null>;
  /**
   * Stops reading ahead and disposes every batch read and not handed out, waiting for reads still in
   * flight, so no tensor outlives the reader. Call it on every path (a `finally`); calling it again
   * does nothing.
   */
  close(): Promise<void>;
}

/**
 * Reads `plan`'s batches from `data` in order, keeping up to `depth` of the following batches in flight
 * while the caller uses the current one, so reading overlaps computing. What is read depends on the
 * plan alone, never on timing: with or without read-ahead, sync or async, the same batches come out.
 */
export function prefetchBatches(data: AsyncDataset, plan: BatchPlan, options: PrefetchOptions = {}): BatchReader {
  const depth = options.depth ?? DEFAULT_PREFETCH;
  if (!Number.isInteger(depth) || depth < 0) throw new RangeError(`prefetch depth must be a whole number >= 0, got ${depth}`);
  const start = options.start ?? 0;
  if (!Number.isInteger(start) || start < 0 || start > plan.length) {
    throw new RangeError(`prefetch start must be a whole number in [0, ${plan.length}], got ${start}`);
  }
  const inFlight: Promise<tf.Tensor>[] = [];
  let nextToRead = start;
  let closed = false;

  const readNext = (): void => {
    const request = plan.at(nextToRead);
    if (!request) throw new RangeError(`the batch plan has no batch ${nextToRead} though its length is ${plan.length}`);
    nextToRead++;
    let pending: Promise<tf.Tensor>;
    try {
      pending = Promise.resolve(data.batch(request.indices, request.seed));
    } catch (error) {
      pending = Promise.reject(error);
    }
    // The failure is surfaced by next() at the batch's turn; this handler only keeps a batch that is
    // never asked for (the run stopped first) from being reported as an unhandled rejection.
    pending.catch(() => undefined);
    inFlight.push(pending);
  };

  return {
    async next() {
      if (closed) throw new Error('the batch reader is closed');
      if (inFlight.length === 0 && nextToRead < plan.length) readNext();
      const head = inFlight.shift();
      while (inFlight.length < depth && nextToRead < plan.length) readNext();
      return head ? await head : null;
    },
    async close() {
      closed = true;
      nextToRead = plan.length;
      const unused = inFlight.splice(0);
      await Promise.all(unused.map((pending) => pending.then((x) => x.dispose(), () => undefined)));
    },
  };
}
