import { describe, expect, it } from 'vitest';
import { CorruptFileError, NonFiniteLossError, UnknownModelError } from '../src/index.js';

type CoreErrors = typeof import('../src/serialization/corrupt-file-error.js') &
  typeof import('../src/registry.js') &
  typeof import('../src/train/events.js');

/**
 * A second, separate copy of the modules that define core's errors (a query string makes the module
 * loader evaluate a file again), as when a program ends up with two copies of the package.
 */
async function secondCopy(): Promise<CoreErrors> {
  const files = ['../src/serialization/corrupt-file-error.js', '../src/registry.js', '../src/train/events.js'];
  const modules = await Promise.all(files.map((file) => import(/* @vite-ignore */ `${file}?second-copy`)));
  return Object.assign({}, ...modules) as CoreErrors;
}

describe('error brands', () => {
  it('recognise errors from a second copy of core, where instanceof does not', async () => {
    const other = await secondCopy();
    expect(other.CorruptFileError).not.toBe(CorruptFileError);
    const errors = [
      [new other.CorruptFileError('bad file'), CorruptFileError],
      [new other.UnknownModelError('NoSuchModel'), UnknownModelError],
      [new other.NonFiniteLossError(3, { loss: Number.NaN }, 1), NonFiniteLossError],
    ] as const;
    for (const [error, Class] of errors) {
      expect(error instanceof Class).toBe(false);
      expect(Class.isInstance(error)).toBe(true);
    }
  });

  it('tell the error classes apart and refuse anything else', () => {
    const corrupt = new CorruptFileError('bad file');
    expect(CorruptFileError.isInstance(corrupt)).toBe(true);
    expect(UnknownModelError.isInstance(corrupt)).toBe(false);
    expect(NonFiniteLossError.isInstance(corrupt)).toBe(false);
    for (const value of [new Error('bad file'), { name: 'CorruptFileError', message: 'x' }, null, undefined, 'CorruptFileError', 3]) {
      expect(CorruptFileError.isInstance(value)).toBe(false);
    }
  });

  it('is not copied by a spread, so a copy of the fields is not taken for the error', () => {
    const error = new UnknownModelError('NoSuchModel');
    expect(UnknownModelError.isInstance({ ...error })).toBe(false);
    expect(JSON.stringify(error)).not.toContain('vaekit');
  });
});
