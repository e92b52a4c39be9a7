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
  return Array.from(shuffledOrder(n, seed));
}

/**
 * The permutation `shuffledIndices` gives, as 4 bytes an example outside the JavaScript heap: an
 * epoch's order over millions of streamed examples then costs megabytes, not a heap's worth.
 */
export function shuffledOrder(n: number, seed: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = new SeededRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.nextFloat() * (i + 1));
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  return order;
}

/** The seed of an epoch's permutation. */
export function epochOrderSeed(seed: number, epoch: number): number {
  return mixSeed(seed, epoch, 0x5eed);
}

/** The batches of one epoch: the epoch's permutation cut into runs of `batchSize` (last one may be short). */
export function epochBatches(n: number, batchSize: number, seed: number, epoch: number): number[][] {
  const order = shuffledIndices(n, epochOrderSeed(seed, epoch));
  const batches: number[][] = [];
  for (let start = 0; start < n; start += batchSize) batches.push(order.slice(start, start + batchSize));
  return batches;
}
