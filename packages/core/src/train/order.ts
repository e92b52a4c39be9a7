import { SeededRandom } from '../random.js';

/** Mixes several integers into one 32-bit seed, so per-epoch and per-step streams never overlap. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  }
  return h >>> 0;
}

/** A seeded Fisher-Yates permutation of 0..n-1. */
export function shuffledIndices(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = new SeededRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.nextFloat() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** The batches of one epoch: the epoch's permutation cut into runs of `batchSize` (last one may be short). */
export function epochBatches(n: number, batchSize: number, seed: number, epoch: number): number[][] {
  const order = shuffledIndices(n, mixSeed(seed, epoch, 0x5eed));
  const batches: number[][] = [];
  for (let start = 0; start < n; start += batchSize) batches.push(order.slice(start, start + batchSize));
  return batches;
}
