import { describe, expect, it } from 'vitest';
import { applySplit, formatRanges, freshSplit, parseRanges, tailSplit } from '../src/held-out-rows.js';

describe('held-out rows as config.json records them', () => {
  it('writes rows as compact ranges and reads them back', () => {
    expect(formatRanges([0, 1, 2, 5, 7, 8])).toBe('0-2,5,7-8');
    expect(formatRanges([])).toBe('');
    expect(parseRanges('0-2,5,7-8')).toEqual([0, 1, 2, 5, 7, 8]);
    expect(parseRanges('')).toEqual([]);
    expect(() => parseRanges('3-1')).toThrow(/'3-1' is not a row or a range of rows/);
    expect(() => parseRanges('a')).toThrow(/'a' is not a row/);
  });

  it('keeps the last tenth for runs saved before splits were recorded, and none of a tiny file', () => {
    expect(tailSplit(40)).toEqual({ heldOutRows: '36-39', rows: 40 });
    expect(tailSplit(9)).toEqual({ heldOutRows: '', rows: 9 });
    expect(applySplit(tailSplit(40), 40, 'x.csv').heldOut).toEqual([36, 37, 38, 39]);
  });

  it('draws a fresh run\'s tenth from its seed, and refuses a file whose length changed', () => {
    const split = applySplit(freshSplit(100, 3), 100, 'x.csv');
    expect(split.heldOut).toHaveLength(10);
    expect(applySplit(freshSplit(100, 3), 100, 'x.csv')).toEqual(split);
    expect(() => applySplit(freshSplit(100, 3), 90, 'x.csv')).toThrow(/x.csv has 90 rows, but the run was trained on 100: .* pass --rows all/);
  });
});
