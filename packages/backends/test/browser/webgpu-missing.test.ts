// A browser with navigator.gpu but no adapter (no supported GPU, or headless Chromium without the WebGPU
// flags): selecting webgpu names the cause instead of failing inside tfjs, and 'auto' moves on to webgl.
// The probe's answer is remembered per page, and each browser test file runs in a fresh page, so the stub
// below is what this page's probe sees.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { BackendUnavailableError, listBackends, useBackend } from '@vaekit/backends';

interface GpuWithAdapter {
  requestAdapter(): Promise<unknown>;
}

describe('a browser whose WebGPU gives no adapter', () => {
  it('refuses webgpu with a reason naming the flags, and keeps the active backend', async () => {
    const gpu = (navigator as unknown as { gpu: GpuWithAdapter }).gpu;
    const original = gpu.requestAdapter;
    gpu.requestAdapter = () => Promise.resolve(null);
    try {
      await useBackend('cpu');
      const error = await useBackend('webgpu').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect((error as BackendUnavailableError).backend).toBe('webgpu');
      expect((error as BackendUnavailableError).reason).toMatch(/gave no adapter.*--enable-unsafe-webgpu/);
      expect(tf.getBackend()).toBe('cpu');
    } finally {
      gpu.requestAdapter = original;
    }
  });

  it("'auto' moves on to webgl, and listBackends() gives webgpu's reason", async () => {
    const info = await useBackend('auto');
    expect(info.name).toBe('webgl');
    const webgpu = (await listBackends()).find((b) => b.name === 'webgpu');
    expect(webgpu).toMatchObject({ available: false });
    expect(webgpu?.reason).toMatch(/gave no adapter/);
    expect(tf.getBackend()).toBe('webgl');
  });
});
