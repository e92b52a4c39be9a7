import { describe, expect, it } from 'vitest';
import { batchesOf } from '../src/index.js';

describe('batchesOf', () => {
  it('cuts in order, keeping or dropping the short tail', () => {
    const indices = [0, 1, 2, 3, 4, 5, 6];
    expect(batchesOf(indices, 3)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(batchesOf(indices, 3, { dropRemainder: true })).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(batchesOf(indices, 7)).toEqual([indices]);
    expect(() => batchesOf(indices, 0)).toThrow(RangeError);
  });
});
