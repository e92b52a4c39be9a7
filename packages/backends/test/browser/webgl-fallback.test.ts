// tfjs answers a WebGL failure by warning on the console and quietly running on another backend. Selecting
// webgl must fail instead. Each browser test file runs in a fresh page, so tfjs here starts without webgl,
// and this page's WebGPU is told to offer no adapter, so 'auto' (webgpu > webgl > wasm) has to pass webgl.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { BackendUnavailableError, useBackend } from '@vaekit/backends';
import { registerWebgl } from '@vaekit/backends/webgl';

describe('a WebGL failure is an error, never a silent fallback', () => {
  it('throws when tfjs cannot initialise webgl and leaves the previous backend active', async () => {
    (navigator as unknown as { gpu: { requestAdapter(): Promise<unknown> } }).gpu.requestAdapter = () => Promise.resolve(null);
    await useBackend('cpu');
    await registerWebgl(); // loads tfjs-backend-webgl, which declares the WEBGL_* flags
    // The browser has WebGL (our own probe passes), but tfjs is told there is none: its webgl backend
    // factory throws, setBackend resolves false, and tfjs would carry on with cpu.
    tf.env().set('WEBGL_VERSION', 0);
    const error = await useBackend('webgl').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).backend).toBe('webgl');
    expect((error as BackendUnavailableError).reason).toMatch(/could not initialise its 'webgl' backend/);
    expect(tf.getBackend()).toBe('cpu');
  });

  it("'auto' then moves on to wasm and says so only through what it returns", async () => {
    const info = await useBackend('auto');
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });
});
