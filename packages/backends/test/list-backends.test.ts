import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { BACKEND_NAMES, backendTolerance, listBackends, useBackend } from '@vaekit/backends';

describe('listBackends (Node)', () => {
  it('reports every backend, cpu and wasm available, webgl and webgpu unavailable with a reason', async () => {
    const list = await listBackends();
    expect(list.map((b) => b.name)).toEqual([...BACKEND_NAMES]);
    const byName = Object.fromEntries(list.map((b) => [b.name, b]));

    expect(byName['cpu']).toMatchObject({ available: true, info: { tfjsBackend: 'cpu', runtime: 'JavaScript' } });
    expect(byName['wasm']).toMatchObject({ available: true, info: { tfjsBackend: 'wasm', simd: true, threads: 1 } });

    const webgl = byName['webgl'];
    expect(webgl?.available).toBe(false);
    expect(webgl?.info).toBeUndefined();
    expect(webgl?.reason).toMatch(/WebGL needs a browser/);

    const webgpu = byName['webgpu'];
    expect(webgpu?.available).toBe(false);
    expect(webgpu?.info).toBeUndefined();
    expect(webgpu?.reason).toMatch(/WebGPU needs a browser/);
  });

  it('puts each available backend\'s tolerance from the one table', async () => {
    for (const entry of await listBackends()) {
      if (entry.info) expect(entry.info.tolerance).toEqual(backendTolerance(entry.name));
    }
  });

  it('leaves the previously selected backend active', async () => {
    await useBackend('cpu');
    await listBackends();
    expect(tf.getBackend()).toBe('cpu');
    await useBackend('wasm');
    await listBackends();
    expect(tf.getBackend()).toBe('wasm');
  });
});
