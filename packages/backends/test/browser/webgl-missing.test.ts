// A browser without any WebGL context (GPU blocklisted, no SwiftShader): selecting webgl names the cause.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { BackendUnavailableError, useBackend } from '@vaekit/backends';

describe('a browser without WebGL', () => {
  it('refuses webgl with a reason instead of falling back', async () => {
    const original = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement, id: string, ...rest: unknown[]) {
      if (id === 'webgl' || id === 'webgl2' || id === 'experimental-webgl') return null;
      return (original as (...args: unknown[]) => unknown).call(this, id, ...rest);
    } as typeof original;
    try {
      await useBackend('cpu');
      const error = await useBackend('webgl').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect((error as BackendUnavailableError).reason).toMatch(/no WebGL context/);
      expect(tf.getBackend()).toBe('cpu');
    } finally {
      HTMLCanvasElement.prototype.getContext = original;
    }
  });
});
