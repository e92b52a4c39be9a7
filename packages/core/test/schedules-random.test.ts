import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSchedule, klWarmup, SeededRandom } from '../src/index.js';
import { epochBatches, shuffledIndices } from '../src/internal.js';
import { useCpu } from '@vaekit/test-utils';

beforeAll(useCpu);

describe('schedules', () => {
  it('linear warm-up ramps from 0 to 1 and holds', () => {
    const s = createSchedule(klWarmup(100));
    expect([0, 50, 100, 1000].map(s)).toEqual([0, 0.5, 1, 1]);
  });
  it('cyclical annealing repeats its ramp every period', () => {
    const s = createSchedule({ type: 'cyclical', period: 10, rampFraction: 0.5 });
    expect([0, 2.5, 5, 9, 10, 12.5].map(s)).toEqual([0, 0.5, 1, 1, 0, 0.5]);
  });
  it('rejects nonsense', () => {
    expect(() => createSchedule({ type: 'linear', from: 0, to: Number.NaN, steps: 1 })).toThrow(/finite/);
    expect(() => createSchedule({ type: 'cyclical', period: 0, rampFraction: 0.5 })).toThrow(/period/);
  });
});

describe('seeded randomness', () => {
  it('the same seed gives the same noise and another seed different noise', () => {
    const a = new SeededRandom(42).normal([4, 3]);
    const b = new SeededRandom(42).normal([4, 3]);
    const c = new SeededRandom(43).normal([4, 3]);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    tf.dispose([a, b, c]);
  });
  it('a restored generator continues the same stream', () => {
    const r = new SeededRandom(5);
    r.nextUint32();
    const copy = SeededRandom.fromState(r.getState());
    expect([r.nextUint32(), r.nextUint32()]).toEqual([copy.nextUint32(), copy.nextUint32()]);
  });
  it('shuffles are permutations, fixed by the seed; epochs cover every example once', () => {
    const order = shuffledIndices(100, 3);
    expect([...order].sort((p, q) => p - q)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(shuffledIndices(100, 3)).toEqual(order);
    expect(shuffledIndices(100, 4)).not.toEqual(order);
    const batches = epochBatches(10, 4, 1, 0);
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(new Set(batches.flat()).size).toBe(10);
    expect(epochBatches(10, 4, 1, 1)).not.toEqual(batches);
  });
});

describe('SeededRandom uniform floats', () => {
  it('stay in [0, 1) and are roughly uniform', () => {
    const rng = new SeededRandom(7);
    const n = 100_000;
    const bins = new Array<number>(10).fill(0);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.nextFloat();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
      bins[Math.floor(x * 10)]! += 1;
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    for (const count of bins) expect(Math.abs(count - n / 10)).toBeLessThan(500);
  });
  it('refuses a non-finite seed', () => {
    expect(() => new SeededRandom(Number.NaN)).toThrow(/finite/);
  });
});
