import { describe, expect, it } from 'vitest';
import { DataError } from '../src/index.js';

type DataErrors = typeof import('../src/data-error.js');

describe('DataError.isInstance', () => {
  it('recognises the error from a second copy of the package, where instanceof does not', async () => {
    // A query string makes the module loader evaluate the file again: a class of its own, as in a second copy.
    const specifier = '../src/data-error.js?second-copy';
    const other = (await import(/* @vite-ignore */ specifier)) as DataErrors;
    const error = new other.DataError('bad data');
    expect(error instanceof DataError).toBe(false);
    expect(DataError.isInstance(error)).toBe(true);
    expect(DataError.isInstance(new DataError('bad data'))).toBe(true);
  });

  it('refuses other errors and look-alikes', () => {
    for (const value of [new Error('x'), new RangeError('x'), { name: 'DataError', message: 'x' }, undefined]) {
      expect(DataError.isInstance(value)).toBe(false);
    }
  });
});
