import { describe, expect, it } from 'vitest';
import { DataError, parseCsv } from '../src/index.js';

describe('parseCsv', () => {
  it('reads rows without a header', () => {
    const loaded = parseCsv('0,0.5,1\n1, 0.25 ,0\n');
    expect(loaded.count).toBe(2);
    expect(loaded.exampleShape).toEqual([3]);
    expect(Array.from(loaded.data)).toEqual([0, 0.5, 1, 1, 0.25, 0]);
  });

  it('detects and skips a header row, handles CRLF, quotes and blank lines', () => {
    const loaded = parseCsv('"a","b"\r\n1,2\r\n\r\n3,-4e-1\r\n');
    expect(loaded.count).toBe(2);
    expect(Array.from(loaded.data)).toEqual([1, 2, 3, -0.4].map(Math.fround));
  });

  it('follows an explicit header setting', () => {
    expect(parseCsv('1,2\n3,4', 'x', { header: true }).count).toBe(1);
    expect(() => parseCsv('a,b\n3,4', 'x.csv', { header: false })).toThrow(/x.csv line 1, column 1: 'a' is not a number/);
  });

  it('takes a first row of numbers with an empty field as data and reports the gap, not as a header', () => {
    expect(() => parseCsv('1,,0\n0,1,1\n', 'gap.csv')).toThrow(/gap.csv line 1, column 2: '' is not a number/);
    expect(() => parseCsv(',\n0,1\n', 'gap.csv')).toThrow(/line 1, column 1: '' is not a number/);
    // A header may still leave a column unnamed: one word is enough to call the row a header.
    const named = parseCsv('x,,z\n1,2,3\n', 'named.csv');
    expect(named.count).toBe(1);
    expect(Array.from(named.data)).toEqual([1, 2, 3]);
  });

  it('reads NaN for the validator to report', () => {
    expect(Number.isNaN(parseCsv('1,nan').data[1])).toBe(true);
  });

  it('reports ragged rows, bad fields and empty input', () => {
    expect(() => parseCsv('1,2\n3\n', 'd.csv')).toThrow(/d.csv line 2 has 1 fields, but the first row has 2/);
    expect(() => parseCsv('1,2\n3,x\n', 'd.csv')).toThrow(/line 2, column 2: 'x' is not a number/);
    expect(() => parseCsv('1,,2\n', 'd.csv', { header: false })).toThrow(/column 2: '' is not a number/);
    expect(() => parseCsv('\n\n', 'd.csv')).toThrow(DataError);
    expect(() => parseCsv('a,b\n', 'd.csv')).toThrow(/header but no data rows/);
  });
});
