import type { AsyncDataset, Dataset } from '../../src/index.js';

/** What an asynchronous wrapper saw: every batch asked for, and the most asked for and not yet resolved. */
export interface AsyncDataLog {
  readonly requests: { indices: number[]; seed: number }[];
  maxInFlight: number;
}

/**
 * `data` served asynchronously, as a file read would be: each batch resolves after a delay that varies
 * with its first index (0-3 ms), so batches read ahead resolve out of order. `fail` makes the batch
 * holding that example reject, after its delay, without creating a tensor.
 */
export function asyncOf(data: Dataset, fail?: { index: number; error: Error }): AsyncDataset & { readonly log: AsyncDataLog } {
  const log: AsyncDataLog = { requests: [], maxInFlight: 0 };
  let inFlight = 0;
  return {
    size: data.size,
    exampleShape: data.exampleShape,
    binary: data.binary,
    log,
    async batch(indices, seed) {
      log.requests.push({ indices: [...indices], seed });
      log.maxInFlight = Math.max(log.maxInFlight, ++inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, (indices[0] ?? 0) % 4));
        if (fail && indices.includes(fail.index)) throw fail.error;
        return data.batch(indices, seed);
      } finally {
        inFlight--;
      }
    },
  };
}
