import { describe, expect, it } from 'vitest';
import { batchesOf, createRng, deriveSeed, shuffledIndices } from '../src/index.js';

describe('createRng', () => {
  it('repeats for a seed, differs across seeds, stays in [0, 1)', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('is roughly uniform', () => {
    const rng = createRng(7);
    const n = 100_000;
    let sum = 0;
    const bins = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) {
      const x = rng();
      sum += x;
      bins[Math.floor(x * 10)]! += 1;
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    for (const count of bins) expect(Math.abs(count - n / 10)).toBeLessThan(500);
  });

  it('refuses a non-finite seed', () => {
    expect(() => createRng(Number.NaN)).toThrow(/finite/);
  });

  it('derives distinct seeds per stream', () => {
    const seeds = new Set(Array.from({ length: 1000 }, (_, i) => deriveSeed(1, i)));
    expect(seeds.size).toBe(1000);
  });
});

describe('shuffledIndices', () => {
  it('is a permutation, reproducible by seed', () => {
    const p = shuffledIndices(1000, 3);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(shuffledIndices(1000, 3)).toEqual(p);
    expect(shuffledIndices(1000, 4)).not.toEqual(p);
    expect(p).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('handles the empty and single cases', () => {
    expect(shuffledIndices(0, 1)).toEqual([]);
    expect(shuffledIndices(1, 1)).toEqual([0]);
  });
});

describe('batchesOf', () => {
  it('cuts in order, keeping or dropping the short tail', () => {
    const indices = [0, 1, 2, 3, 4, 5, 6];
    expect(batchesOf(indices, 3)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(batchesOf(indices, 3, { dropRemainder: true })).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(batchesOf(indices, 7)).toEqual([indices]);
    expect(() => batchesOf(indices, 0)).toThrow(RangeError);
  });
});
