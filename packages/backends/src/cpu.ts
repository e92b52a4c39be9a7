// @vaekit/backends/cpu: tfjs's plain-JavaScript backend. Slow, but it runs everywhere and is the reference
// the other backends' tolerances are measured against.
import { findBackend, version_core } from '@tensorflow/tfjs-core';

import { floatPrecisionOf } from './activate.js';
import type { BackendEntry } from './backend-entry.js';
import { NOT_NATIVE } from './compiled-steps.js';
import type { BackendInfo } from './info.js';
import { importOptional } from './load-optional.js';
import { selectEntry } from './select-entry.js';
import { backendTolerance } from './tolerance.js';

const PACKAGE = '@tensorflow/tfjs-backend-cpu';

export const cpuBackend: BackendEntry = {
  name: 'cpu',
  tfjsBackend: 'cpu',
  async register() {
    await importOptional('cpu', PACKAGE, () => import('@tensorflow/tfjs-backend-cpu'));
  },
  afterSelect() {
    // In Node the cpu backend greets its first tensor with advice to install tfjs-node. Here the choice was
    // deliberate (and native is one `useBackend('native')` away), so mark the instance as already used.
    // `firstUse` is a private field of tfjs-backend-cpu's backend class, hence the structural cast.
    const instance = findBackend('cpu') as unknown as { firstUse?: boolean } | undefined;
    if (instance && 'firstUse' in instance) instance.firstUse = false;
  },
  async describe(): Promise<BackendInfo> {
    return {
      name: 'cpu',
      tfjsBackend: 'cpu',
      tfjsVersion: version_core,
      runtime: 'JavaScript',
      simd: false,
      threads: 1,
      floatPrecision: floatPrecisionOf('cpu'),
      tolerance: backendTolerance('cpu'),
      ...NOT_NATIVE,
    };
  },
};

/** Loads and registers the cpu backend without selecting it. */
export function registerCpu(): Promise<void> {
  return cpuBackend.register();
}

/** Selects the cpu backend; throws BackendUnavailableError if it cannot run. */
export function useCpu(): Promise<BackendInfo> {
  return selectEntry(cpuBackend);
}
