export interface BatchesOfOptions {
  /** Leave out a last batch smaller than `batchSize` (keeps every step the same shape). Default false. */
  dropRemainder?: boolean;
}

/** Cut `indices` into consecutive batches of `batchSize`; the last one may be shorter. */
export function batchesOf(
  indices: readonly number[],
  batchSize: number,
  options: BatchesOfOptions = {},
): number[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const batches: number[][] = [];
  for (let start = 0; start < indices.length; start += batchSize) {
    const batch = indices.slice(start, start + batchSize);
    if (batch.length < batchSize && options.dropRemainder === true) break;
    batches.push(batch);
  }
  return batches;
}
