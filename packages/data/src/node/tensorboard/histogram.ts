/**
 * A histogram as TensorBoard's HistogramProto holds it: bucket i counts the values in
 * (bucketLimits[i - 1], bucketLimits[i]], the first bucket everything up to bucketLimits[0].
 */
export interface HistogramData {
  readonly min: number;
  readonly max: number;
  readonly count: number;
  readonly sum: number;
  readonly sumSquares: number;
  readonly bucketLimits: readonly number[];
  readonly bucketCounts: readonly number[];
}

/** Equal-width buckets from the smallest value to the largest; all values equal make one bucket. */
export function histogramOf(values: ArrayLike<number>, buckets = 30): HistogramData {
  if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError(`buckets must be a positive integer, got ${buckets}`);
  if (values.length === 0) throw new RangeError('a histogram needs at least one value, got none');
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`histogram values must be finite, got ${v} at index ${i}`);
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
    sumSquares += v * v;
  }
  const count = values.length;
  if (min === max) return { min, max, count, sum, sumSquares, bucketLimits: [max], bucketCounts: [count] };
  const width = (max - min) / buckets;
  const bucketLimits = Array.from({ length: buckets }, (_, i) => (i === buckets - 1 ? max : min + (i + 1) * width));
  const bucketCounts = new Array<number>(buckets).fill(0);
  for (let i = 0; i < values.length; i++) {
    // Upper edges are inclusive, so a value on a limit belongs to the bucket below it.
    const index = Math.min(buckets - 1, Math.max(0, Math.ceil((values[i]! - min) / width) - 1));
    bucketCounts[index]! += 1;
  }
  return { min, max, count, sum, sumSquares, bucketLimits, bucketCounts };
}
