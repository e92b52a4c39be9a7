import { describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '../src/index.js';

type BackendsErrors = typeof import('../src/errors.js');

describe('BackendUnavailableError.isInstance', () => {
  it('recognises the error from a second copy of the package, where instanceof does not', async () => {
    // A query string makes the module loader evaluate the file again: a class of its own, as in a second copy.
    const specifier = '../src/errors.js?second-copy';
    const other = (await import(/* @vite-ignore */ specifier)) as BackendsErrors;
    const error = new other.BackendUnavailableError('webgl', 'no WebGL context here');
    expect(error instanceof BackendUnavailableError).toBe(false);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect(BackendUnavailableError.isInstance(new BackendUnavailableError('wasm', 'x'))).toBe(true);
  });

  it('refuses other errors and look-alikes', () => {
    for (const value of [new Error('x'), { name: 'BackendUnavailableError', backend: 'wasm', reason: 'x' }, null, 'x']) {
      expect(BackendUnavailableError.isInstance(value)).toBe(false);
    }
  });
});
