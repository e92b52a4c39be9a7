import { version_core } from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { BackendUnavailableError } from '../src/errors.js';
import { importOptional } from '../src/load-optional.js';

/** What Node throws when a bare import cannot be resolved. */
function missing(pkg: string): Error {
  return Object.assign(new Error(`Cannot find package '${pkg}' imported from /app/index.js`), { code: 'ERR_MODULE_NOT_FOUND' });
}

describe('importOptional', () => {
  it('turns a missing package into BackendUnavailableError with the default install command', async () => {
    const failed = importOptional('wasm', '@tensorflow/tfjs-backend-wasm', () => Promise.reject(missing('@tensorflow/tfjs-backend-wasm')));
    await expect(failed).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(failed).rejects.toThrow(`@tensorflow/tfjs-backend-wasm is not installed: pnpm add @tensorflow/tfjs-backend-wasm@${version_core}`);
  });

  it("uses the caller's install hint when it has one", async () => {
    const hint = 'npm install --ignore-scripts @tensorflow/tfjs-node && npx vaekit-native-setup';
    const failed = importOptional('native', '@tensorflow/tfjs-node', () => Promise.reject(missing('@tensorflow/tfjs-node')), undefined, hint);
    await expect(failed).rejects.toThrow(`@tensorflow/tfjs-node is not installed: ${hint}`);
  });

  it('words other failures through explain, and says the package failed to load otherwise', async () => {
    const broken = () => Promise.reject(new Error('libtensorflow.so.2: cannot open shared object file\nmore detail'));
    await expect(importOptional('native', '@tensorflow/tfjs-node', broken, () => 'the C library is missing')).rejects.toThrow(
      'the C library is missing',
    );
    await expect(importOptional('native', '@tensorflow/tfjs-node', broken)).rejects.toThrow(
      /^.*loading @tensorflow\/tfjs-node failed: libtensorflow\.so\.2: cannot open shared object file$/,
    );
  });
});
