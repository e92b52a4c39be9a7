// The webgpu backend in headless Chromium: the probe finds SwiftShader's adapter (with the flags in
// scripts/ensure-chromium.mjs), tfjs runs on it, and BackendInfo describes the adapter tfjs uses.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { currentBackendInfo, listBackends, useBackend, type BackendInfo } from '@vaekit/backends';
import { probeWebgpu, SYNC_READ_REFUSED, webgpuAddNFixActive, webgpuSmallMatMulFixActive } from '@vaekit/backends/webgpu';

/** The helpers' small ops (matMul, log1p), read asynchronously: see the synchronous-read test below. */
async function runSmallOpsAsync(info: BackendInfo): Promise<void> {
  const { rtol, atol } = info.tolerance;
  const [product, logs] = tf.tidy(() => [
    tf.matMul(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), tf.tensor2d([7, 8, 9, 10, 11, 12], [3, 2])),
    tf.log1p(tf.tensor1d([0, 1, 0.5])),
  ]);
  const actual = [...(await product.data()), ...(await logs.data())];
  tf.dispose([product, logs]);
  [58, 64, 139, 154, 0, Math.LN2, Math.log1p(0.5)].forEach((e, i) => {
    expect(Math.abs(actual[i]! - e), `element ${i}: ${actual[i]} vs ${e}`).toBeLessThanOrEqual(atol + rtol * Math.abs(e));
  });
}

describe('webgpu in Chromium', () => {
  it('is served from a secure context, so navigator.gpu exists', () => {
    expect(globalThis.isSecureContext).toBe(true);
    expect('gpu' in navigator).toBe(true);
  });

  it('probes an adapter and a device and describes them', async () => {
    const { report } = await probeWebgpu();
    console.log(`[webgpu] adapter: ${JSON.stringify({ ...report, features: report.features.join(' ') })}`);
    expect(report.vendor).not.toBe('');
    expect(report.shaderF16).toBe(report.features.includes('shader-f16'));
    for (const value of Object.values(report.limits)) expect(value).toBeGreaterThan(0);
  });

  it("selects webgpu: tf.getBackend() is 'webgpu', float32, the adapter in BackendInfo, and a small op runs", async () => {
    const info = await useBackend('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(info).toMatchObject({ name: 'webgpu', tfjsBackend: 'webgpu', tfjsVersion: '4.22.0', floatPrecision: 32, threads: 1, simd: null });
    expect(info.runtime).toMatch(/^WebGPU on /);
    const { report } = await probeWebgpu();
    expect(info.adapter).toMatchObject({ vendor: report.vendor, architecture: report.architecture, features: report.features });
    // tfjs asks for the adapter's maxima, so its device has them.
    expect(info.adapter?.limits.maxStorageBufferBindingSize).toBe(report.limits.maxStorageBufferBindingSize);
    expect(currentBackendInfo()).toEqual(info);
    await runSmallOpsAsync(info);
  });

  it('reads GPU tensors synchronously only where that returns the right values, and throws otherwise', async () => {
    const info = await useBackend('webgpu');
    const onGpu = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2], [1, 2]), tf.tensor2d([3, 4], [2, 1])));
    try {
      if (info.adapter?.syncReads) {
        expect(Array.from(onGpu.dataSync())).toEqual([11]);
      } else {
        // Headless Chromium on SwiftShader: tfjs's canvas read-back gives zeros here, so it must refuse.
        expect(() => onGpu.dataSync()).toThrow(SYNC_READ_REFUSED);
        expect(info.runtime).toMatch(/no synchronous reads/);
      }
      expect(Array.from(await onGpu.data())).toEqual([11]);
      // Once read asynchronously, the values live on the CPU too, and a synchronous read returns them.
      expect(Array.from(onGpu.dataSync())).toEqual([11]);
      // A tensor that never left the CPU reads synchronously everywhere.
      const onCpu = tf.tensor1d([5, 6]);
      expect(Array.from(onCpu.dataSync())).toEqual([5, 6]);
      onCpu.dispose();
    } finally {
      onGpu.dispose();
    }
  });

  it('sums more tensors with addN than the device has storage-buffer bindings for', async () => {
    await useBackend('webgpu');
    expect(webgpuAddNFixActive()).toBe(true);
    // A small addN first, so that the stock kernel's failure (a dispatch that never runs) would leave this
    // result in the pooled output buffer the larger ones then receive.
    for (const n of [2, 5, 8, 12, 20]) {
      const terms = Array.from({ length: n }, (_, i) => tf.tidy(() => tf.sum(tf.add(tf.fill([1500], i + 1), 0))));
      const sum = tf.addN(terms);
      expect((await sum.data())[0], `addN of ${n}`).toBe((1500 * n * (n + 1)) / 2);
      tf.dispose([...terms, sum]);
    }
  });

  it("runs small matMuls with tfjs's small-output program on a software adapter, with the same values", async () => {
    const info = await useBackend('webgpu');
    expect(webgpuSmallMatMulFixActive()).toBe(info.adapter?.software === true);
    const [a, b] = [tf.tensor2d(Array.from({ length: 80 }, (_, i) => Math.sin(i)), [8, 10]), tf.tensor2d(Array.from({ length: 120 }, (_, i) => Math.cos(i)), [10, 12])];
    const product = tf.matMul(a, b);
    const onGpu = await product.data();
    const expected = Array.from({ length: 96 }, (_, i) => {
      const [row, col] = [Math.floor(i / 12), i % 12];
      return Array.from({ length: 10 }, (_, k) => Math.sin(row * 10 + k) * Math.cos(k * 12 + col)).reduce((p, v) => p + v, 0);
    });
    onGpu.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(expected[i]!)));
    // A prelu activation is one the blocked program leaves to tfjs, which must then avoid its reduce program.
    const prelu = tf.fused.matMul({ a, b, activation: 'prelu', preluActivationWeights: tf.scalar(0.5) });
    const preluValues = await prelu.data();
    preluValues.forEach((v, i) => {
      const e = expected[i]! < 0 ? 0.5 * expected[i]! : expected[i]!;
      expect(Math.abs(v - e)).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(e));
    });
    if (info.adapter?.software) {
      const pipelines = Object.keys((tf.backend() as unknown as { pipelineCache: Record<string, unknown> }).pipelineCache);
      expect(pipelines.some((key) => key.startsWith('matMulReduce'))).toBe(false);
      expect(pipelines.some((key) => key.startsWith('matMulSmallOutputSize'))).toBe(true);
    }
    tf.dispose([a, b, product, prelu]);
  });

  it('runs matMuls with the blocked program on a software adapter: every transpose, odd sizes, batches, bias and activation', async () => {
    const info = await useBackend('webgpu');
    const pipelineKeys = () => Object.keys((tf.backend() as unknown as { pipelineCache: Record<string, unknown> }).pipelineCache);
    const valueAt = (seed: number, i: number) => Math.sin(seed * 7.1 + i * 0.37);
    // [batch, m, k] @ [batch, k, n] computed here, from the same values laid out as each case asks.
    const cases = [
      { m: 5, k: 7, n: 9, batchA: 1, batchB: 1, tA: false, tB: false },
      { m: 6, k: 3, n: 5, batchA: 1, batchB: 1, tA: true, tB: false },
      { m: 9, k: 11, n: 6, batchA: 1, batchB: 1, tA: false, tB: true },
      { m: 4, k: 13, n: 8, batchA: 1, batchB: 1, tA: true, tB: true },
      { m: 3, k: 5, n: 7, batchA: 3, batchB: 3, tA: false, tB: false },
      { m: 6, k: 4, n: 2, batchA: 2, batchB: 1, tA: false, tB: true },
      { m: 2, k: 6, n: 5, batchA: 1, batchB: 4, tA: true, tB: false },
    ];
    for (const c of cases) {
      const batch = Math.max(c.batchA, c.batchB);
      const aAt = (bt: number, r: number, k: number) => valueAt(1, (bt % c.batchA) * c.m * c.k + r * c.k + k);
      const bAt = (bt: number, k: number, col: number) => valueAt(2, (bt % c.batchB) * c.k * c.n + k * c.n + col);
      const layout = (n: number, rows: number, cols: number, at: (bt: number, r: number, col: number) => number, transpose: boolean) =>
        Array.from({ length: n * rows * cols }, (_, i) => {
          const bt = Math.floor(i / (rows * cols));
          const [r, col] = transpose ? [i % rows, Math.floor(i / rows) % cols] : [Math.floor(i / cols) % rows, i % cols];
          return at(bt, r, col);
        });
      const aShape = c.tA ? [c.batchA, c.k, c.m] : [c.batchA, c.m, c.k];
      const bShape = c.tB ? [c.batchB, c.n, c.k] : [c.batchB, c.k, c.n];
      const a = tf.tensor3d(layout(c.batchA, c.m, c.k, aAt, c.tA), aShape as [number, number, number]);
      const b = tf.tensor3d(layout(c.batchB, c.k, c.n, bAt, c.tB), bShape as [number, number, number]);
      const bias = tf.tensor1d(Array.from({ length: c.n }, (_, i) => 0.25 * i - 0.5));
      const plain = tf.matMul(a, b, c.tA, c.tB);
      const fused = tf.fused.matMul({ a, b, transposeA: c.tA, transposeB: c.tB, bias, activation: 'relu' });
      const [plainValues, fusedValues] = [await plain.data(), await fused.data()];
      expect(plain.shape).toEqual([batch, c.m, c.n]);
      for (let i = 0; i < batch * c.m * c.n; i++) {
        const [bt, r, col] = [Math.floor(i / (c.m * c.n)), Math.floor(i / c.n) % c.m, i % c.n];
        const e = Array.from({ length: c.k }, (_, k) => aAt(bt, r, k) * bAt(bt, k, col)).reduce((p, v) => p + v, 0);
        const label = `${JSON.stringify(c)} element ${i}`;
        expect(Math.abs(plainValues[i]! - e), label).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(e));
        expect(Math.abs(fusedValues[i]! - Math.max(0, e + 0.25 * col - 0.5)), label).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(e));
      }
      tf.dispose([a, b, bias, plain, fused]);
    }
    if (info.adapter?.software) expect(pipelineKeys().some((key) => key.startsWith('vaekitBlockedMatMul'))).toBe(true);
    // A float32 tensor cast from int32 keeps its integer buffer on webgpu; the program must read it as numbers.
    const counts = tf.cast(tf.oneHot(tf.tensor1d([2, 0, 1, 2], 'int32'), 3), 'float32');
    const codes = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const picked = tf.matMul(counts, codes);
    const summed = tf.sum(counts, 0);
    expect(Array.from(await picked.data())).toEqual([5, 6, 1, 2, 3, 4, 5, 6]);
    expect(Array.from(await summed.data())).toEqual([1, 1, 2]);
    tf.dispose([counts, codes, picked, summed]);
  });

  it('sums over any axes on a software adapter with the same values as the arithmetic here', async () => {
    const info = await useBackend('webgpu');
    const shape = [4, 5, 6];
    const values = Array.from({ length: 120 }, (_, i) => Math.cos(i * 0.61) * (1 + (i % 7)));
    const x = tf.tensor3d(values, shape as [number, number, number]);
    const at = (i: number, j: number, k: number) => values[i * 30 + j * 6 + k]!;
    for (const axes of [[0], [1], [2], [0, 1], [1, 2], [0, 2], [0, 1, 2]]) {
      for (const keepDims of [false, true]) {
        const sum = tf.sum(x, axes, keepDims);
        const expectedShape = keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
        expect(sum.shape, `axes ${axes}`).toEqual(expectedShape);
        const expected = new Map<string, number>();
        for (let i = 0; i < 4; i++)
          for (let j = 0; j < 5; j++)
            for (let k = 0; k < 6; k++) {
              const key = [i, j, k].filter((_, d) => !axes.includes(d)).join(',');
              expected.set(key, (expected.get(key) ?? 0) + at(i, j, k));
            }
        const actual = await sum.data();
        [...expected.values()].forEach((e, n) => expect(Math.abs(actual[n]! - e), `axes ${axes}, value ${n}`).toBeLessThanOrEqual(1e-4));
        sum.dispose();
      }
    }
    x.dispose();
    if (info.adapter?.software) {
      const pipelines = Object.keys((tf.backend() as unknown as { pipelineCache: Record<string, unknown> }).pipelineCache);
      expect(pipelines.some((key) => key.startsWith('vaekitDirectSum'))).toBe(true);
    }
  });

  it("'auto' prefers webgpu in a browser", async () => {
    await useBackend('cpu');
    const info = await useBackend('auto');
    expect(info.name).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
  });

  it('lists webgpu as available with its adapter, and leaves the active backend active', async () => {
    await useBackend('cpu');
    const webgpu = (await listBackends()).find((b) => b.name === 'webgpu');
    expect(webgpu).toMatchObject({ available: true, info: { name: 'webgpu' } });
    expect(webgpu?.info?.adapter?.vendor).not.toBe('');
    expect(tf.getBackend()).toBe('cpu');
  });
});
