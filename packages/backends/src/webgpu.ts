// @vaekit/backends/webgpu: tfjs's WebGPU backend. It runs where WebGPU lives, a browser with an adapter on a
// secure page (https or localhost); in Node it reports itself unavailable with the reason. Before tfjs
// initialises it, the probe asks the browser for an adapter and a device, so a missing one comes with its
// cause instead of a TypeError from inside tfjs and a quiet switch to another backend.
import * as tf from '@tensorflow/tfjs-core';

import { floatPrecisionOf } from './activate.js';
import type { BackendEntry } from './backend-entry.js';
import { NOT_NATIVE } from './compiled-steps.js';
import { BackendUnavailableError } from './errors.js';
import type { BackendInfo } from './info.js';
import { importOptional } from './load-optional.js';
import { selectEntry } from './select-entry.js';
import { backendTolerance } from './tolerance.js';
import { describeAdapter, reportAdapter, type GpuDeviceLike, type WebgpuAdapterReport } from './webgpu-adapter.js';
import { installWebgpuAddNFix } from './webgpu-addn.js';
import { installWebgpuDirectSum } from './webgpu-direct-sum.js';
import { probeWebgpu } from './webgpu-probe.js';
import { installWebgpuSmallMatMulFix } from './webgpu-small-matmul.js';
import { guardWebgpuSyncReads } from './webgpu-sync-read.js';

export type { WebgpuAdapterReport, WebgpuLimits } from './webgpu-adapter.js';
export { probeWebgpu } from './webgpu-probe.js';
export type { WebgpuProbe } from './webgpu-probe.js';
// The structural shape of the adapter a probe holds (TypeScript's DOM library has no WebGPU types).
export type { GpuAdapterInfoLike, GpuAdapterLike, GpuDeviceLike, GpuLimitsLike } from './webgpu-adapter.js';
export { SYNC_READ_REFUSED } from './webgpu-sync-read.js';
export { webgpuAddNFixActive } from './webgpu-addn.js';
export { webgpuSmallMatMulFixActive } from './webgpu-small-matmul.js';

const PACKAGE = '@tensorflow/tfjs-backend-webgpu';

// Set by register() from the probe, for afterSelect(), which runs synchronously.
let softwareAdapter = false;

/**
 * The adapter as the running backend sees it: the probe's description with the limits of tfjs's own device
 * (tfjs requests the adapter's maxima, so a smaller figure here means the browser capped it).
 */
async function liveReport(): Promise<WebgpuAdapterReport> {
  const { adapter, report } = await probeWebgpu();
  // tfjs's WebGPUBackend keeps its device as a public field that tfjs-core's KernelBackend type does not name.
  const device = (tf.findBackend('webgpu') as unknown as { device?: GpuDeviceLike } | null)?.device;
  if (!device) throw new Error("The webgpu backend is not initialised: describe() runs after it is selected.");
  return { ...reportAdapter(adapter, device.limits), syncReads: guardWebgpuSyncReads(report.software) };
}

export const webgpuBackend: BackendEntry = {
  name: 'webgpu',
  tfjsBackend: 'webgpu',
  async register() {
    softwareAdapter = (await probeWebgpu()).report.software;
    await importOptional('webgpu', PACKAGE, () => import('@tensorflow/tfjs-backend-webgpu'));
    installWebgpuAddNFix();
    if (softwareAdapter) {
      installWebgpuSmallMatMulFix();
      installWebgpuDirectSum();
    }
    // The package registers its factory only when it sees navigator.gpu at import time; the probe has just
    // seen it, so a missing factory means tfjs-core came from a second copy (two tfjs-core versions).
    if (!tf.findBackendFactory('webgpu')) {
      throw new BackendUnavailableError(
        'webgpu',
        `${PACKAGE} loaded but registered no 'webgpu' backend with this tfjs-core: install one tfjs-core version (${tf.version_core}) for every tfjs package.`,
      );
    }
  },
  afterSelect() {
    guardWebgpuSyncReads(softwareAdapter);
  },
  async describe(): Promise<BackendInfo> {
    const adapter = await liveReport();
    const floatPrecision = floatPrecisionOf('webgpu');
    return {
      name: 'webgpu',
      tfjsBackend: 'webgpu',
      tfjsVersion: tf.version_core,
      runtime: `WebGPU on ${describeAdapter(adapter)}`,
      simd: null,
      // The work runs on the GPU (or SwiftShader's CPU threads); one JavaScript thread drives it.
      threads: 1,
      floatPrecision,
      tolerance: backendTolerance('webgpu', floatPrecision),
      adapter,
      ...NOT_NATIVE,
    };
  },
};

/** Loads and registers the webgpu backend without selecting it. */
export function registerWebgpu(): Promise<void> {
  return webgpuBackend.register();
}

/** Selects the webgpu backend; throws BackendUnavailableError if it cannot run (always, in Node). */
export function useWebgpu(): Promise<BackendInfo> {
  return selectEntry(webgpuBackend);
}

// The types this entry's functions use, so that an app loading only this backend imports them from here too.
export type { BackendEntry } from './backend-entry.js';
export type { BackendInfo } from './info.js';
