import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { BackendUnavailableError, currentBackendInfo, useBackend } from '@vaekit/backends';
import type { BackendName } from '@vaekit/backends';

import { runSmallOps } from './helpers.js';

const EXPECTED: Record<Exclude<BackendName, 'webgl' | 'webgpu'>, string> = { cpu: 'cpu', wasm: 'wasm', native: 'tensorflow' };

describe('useBackend', () => {
  for (const [name, tfjsBackend] of Object.entries(EXPECTED) as [BackendName, string][]) {
    it(`selects ${name}: tf.getBackend() is '${tfjsBackend}' and a small op runs`, async () => {
      const info = await useBackend(name);
      expect(info.name).toBe(name);
      expect(info.tfjsBackend).toBe(tfjsBackend);
      expect(tf.getBackend()).toBe(tfjsBackend);
      expect(info.tfjsVersion).toBe('4.22.0');
      expect(info.floatPrecision).toBe(32);
      expect(currentBackendInfo()).toEqual(info);
      runSmallOps(info);
    });
  }

  it("'auto' picks native in Node when it is available", async () => {
    const info = await useBackend('auto');
    expect(info.name).toBe('native');
    expect(tf.getBackend()).toBe('tensorflow');
  });

  it('rejects an unknown name and lists the valid ones', async () => {
    // @ts-expect-error -- an invalid name on purpose
    await expect(useBackend('gpu')).rejects.toThrow(/Unknown backend "gpu": valid names are 'native', 'wasm', 'webgl', 'webgpu', 'cpu', 'auto'/);
  });

  it('refuses webgl in Node with a reason and keeps the active backend', async () => {
    await useBackend('cpu');
    const error = await useBackend('webgl').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).backend).toBe('webgl');
    expect((error as BackendUnavailableError).reason).toMatch(/Node has no WebGL2/);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('refuses webgpu in Node with a reason and keeps the active backend', async () => {
    await useBackend('cpu');
    const error = await useBackend('webgpu').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).backend).toBe('webgpu');
    expect((error as BackendUnavailableError).reason).toMatch(/Node has no navigator\.gpu/);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('reports wasm honestly: SIMD on, one thread in Node', async () => {
    const info = await useBackend('wasm');
    expect(info).toMatchObject({ simd: true, threads: 1, runtime: 'WebAssembly SIMD' });
  });
});
