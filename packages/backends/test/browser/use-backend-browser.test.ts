import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { BackendUnavailableError, currentBackendInfo, listBackends, useBackend } from '@vaekit/backends';
import { wasmThreading } from '@vaekit/backends/wasm';
import { probeWebgl } from '@vaekit/backends/webgl';

import { runSmallOps } from '../helpers.js';

describe('useBackend in Chromium', () => {
  it('gets a WebGL2 context (SwiftShader here) with float32 render targets', () => {
    const probe = probeWebgl();
    expect(probe.version).toBe(2);
    console.log(`[webgl] renderer: ${probe.renderer}`);
  });

  it("selects webgl: tf.getBackend() is 'webgl', float32, and a small op runs", async () => {
    const info = await useBackend('webgl');
    expect(tf.getBackend()).toBe('webgl');
    expect(info).toMatchObject({ name: 'webgl', tfjsBackend: 'webgl', tfjsVersion: '4.22.0', floatPrecision: 32, threads: 1 });
    expect(info.runtime).toMatch(/^WebGL 2/);
    expect(currentBackendInfo()).toEqual(info);
    runSmallOps(info);
  });

  it("selects wasm in the page: SIMD on, threads reported honestly", async () => {
    const info = await useBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.simd).toBe(true);
    const threading = await wasmThreading();
    // The Vitest page is not cross-origin isolated, so no SharedArrayBuffer and no threads.
    expect(threading.crossOriginIsolated).toBe(globalThis.crossOriginIsolated);
    if (!globalThis.crossOriginIsolated) {
      expect(threading).toMatchObject({ threads: 1, multithreaded: false });
      expect(threading.reason).toMatch(/not cross-origin isolated/);
    }
    expect(info.threads).toBe(threading.threads);
    runSmallOps(info);
  });

  it("selects cpu in the page", async () => {
    const info = await useBackend('cpu');
    expect(tf.getBackend()).toBe('cpu');
    runSmallOps(info);
  });

  it("'auto' prefers webgpu in a browser (see webgpu-browser.test.ts)", async () => {
    await useBackend('cpu');
    const info = await useBackend('auto');
    expect(info.name).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
  });

  it('refuses native in a browser with a reason', async () => {
    const error = await useBackend('native').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).reason).toMatch(/needs Node/);
  });

  it('lists webgl, webgpu, wasm and cpu as available and native as not', async () => {
    await useBackend('webgl');
    const list = await listBackends();
    const available = Object.fromEntries(list.map((b) => [b.name, b.available]));
    expect(available).toEqual({ native: false, wasm: true, webgl: true, webgpu: true, cpu: true });
    expect(tf.getBackend()).toBe('webgl');
  });
});
