// WebGPU has no synchronous way to read a GPU buffer back. tfjs-backend-webgpu 4.22 makes `readSync` (behind
// dataSync, arraySync and bufferSync) work anyway by copying the buffer into a WebGPU canvas and reading
// that canvas through a 2D one. On a software adapter (SwiftShader, as headless Chromium has) that path
// returns zeros without an error, and afterwards the page's WebGPU instance is gone ("A valid external
// Instance reference no longer exists"): a loss read with dataSync is 0, a metric comes from zeros, and the
// next GPU read fails. Trying the path to see whether it works would itself break the device, so on a
// software adapter synchronous reads of GPU-resident tensors throw instead, saying what to call.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendValues } from '@tensorflow/tfjs-core';

import { BackendUnavailableError } from './errors.js';

/** The parts of tfjs's WebGPUBackend this module touches, which tfjs-core's KernelBackend type does not name. */
interface WebgpuBackendLike {
  readSync(dataId: object): BackendValues;
  tensorMap: { get(dataId: object): { values: unknown; dtype: tf.DataType } | undefined };
}

export const SYNC_READ_REFUSED =
  'Synchronous reads (dataSync, arraySync, bufferSync) of tensors on the GPU are refused on this WebGPU ' +
  'adapter: tfjs-backend-webgpu reads them through a canvas, which returns zeros here and loses the device. Read with ' +
  '`await tensor.data()` (or `array()`) instead.';

const checked = new WeakMap<object, boolean>();

function backendOf(): WebgpuBackendLike {
  const backend = tf.findBackend('webgpu') as unknown as WebgpuBackendLike | null;
  if (!backend || typeof backend.readSync !== 'function' || !backend.tensorMap) {
    throw new BackendUnavailableError('webgpu', "tfjs's webgpu backend is not initialised, or is not tfjs-backend-webgpu's");
  }
  return backend;
}

function refuseGpuSyncReads(backend: WebgpuBackendLike): void {
  const original = backend.readSync.bind(backend);
  backend.readSync = (dataId: object) => {
    const data = backend.tensorMap.get(dataId);
    // Values still on the CPU (never uploaded, or cached after an async read) and strings read fine.
    if (!data || data.values != null || data.dtype === 'string') return original(dataId);
    throw new Error(SYNC_READ_REFUSED);
  };
}

/**
 * Makes synchronous reads of GPU-resident tensors throw on the active webgpu backend when `softwareAdapter`
 * (once per backend instance). Returns whether synchronous reads work, i.e. are left to tfjs.
 */
export function guardWebgpuSyncReads(softwareAdapter: boolean): boolean {
  const backend = backendOf();
  let works = checked.get(backend);
  if (works === undefined) {
    works = !softwareAdapter;
    if (!works) refuseGpuSyncReads(backend);
    checked.set(backend, works);
  }
  return works;
}
