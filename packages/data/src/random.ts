/**
 * Seeded pseudo-random numbers. tfjs's own random ops depend on the backend, so batching and
 * binarization draw from this generator instead: the same seed gives the same batches on every backend.
 */

/** A generator of uniform floats in [0, 1); each call advances its state. */
export type Rng = () => number;

/** Weyl-sequence increment (2^32 / golden ratio): consecutive states differ in many bits. */
const GOLDEN_GAMMA = 0x9e3779b9;

/**
 * Avalanche a 32-bit integer: every input bit flips about half the output bits. The two
 * multiply-xorshift rounds are the well-studied 32-bit finalizer constants.
 */
export function mix32(value: number): number {
  let z = value | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Turn any finite number into a 32-bit seed; refuses NaN/Infinity so a bad seed fails loudly. */
export function normalizeSeed(seed: number): number {
  if (!Number.isFinite(seed)) {
    throw new RangeError(`seed must be a finite number, got ${seed}`);
  }
  // Fold the high part in too, so seeds that differ only above 2^32 still differ.
  const high = Math.floor(seed / 0x100000000);
  return (Math.trunc(seed) ^ mix32(high)) >>> 0;
}

/**
 * Derive an independent seed from a parent seed and a stream number (an example index, an epoch),
 * so each stream can be regenerated alone without replaying the others.
 */
export function deriveSeed(seed: number, stream: number): number {
  return mix32(normalizeSeed(seed) ^ mix32((normalizeSeed(stream) + GOLDEN_GAMMA) | 0));
}

/** A small, fast generator: a 32-bit Weyl sequence passed through `mix32`. Not for cryptography. */
export function createRng(seed: number): Rng {
  let state = normalizeSeed(seed);
  return () => {
    state = (state + GOLDEN_GAMMA) | 0;
    return mix32(state) / 0x100000000;
  };
}
