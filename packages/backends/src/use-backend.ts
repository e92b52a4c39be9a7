import * as tf from '@tensorflow/tfjs-core';

import { isBrowser } from './environment.js';
import { BackendUnavailableError } from './errors.js';
import type { BackendInfo } from './info.js';
import { infoForTfjsBackend } from './info-cache.js';
import { loadEntry } from './load-entry.js';
import { assertBackendName } from './names.js';
import type { BackendName } from './names.js';
import { selectEntry } from './select-entry.js';

/** The order 'auto' tries: the fastest backend this runtime can have first. */
export function autoOrder(): readonly BackendName[] {
  return isBrowser() ? ['webgpu', 'webgl', 'wasm', 'cpu'] : ['native', 'wasm', 'cpu'];
}

/**
 * Selects a backend and returns what is running. 'auto' takes the first that works (Node: native > wasm >
 * cpu; browser: webgpu > webgl > wasm > cpu). Throws BackendUnavailableError with the reason, never falls back silently.
 */
export async function useBackend(name: BackendName | 'auto'): Promise<BackendInfo> {
  if (name !== 'auto') {
    assertBackendName(name, ['auto']);
    return selectEntry(await loadEntry(name));
  }
  const reasons: string[] = [];
  let last: BackendUnavailableError | undefined;
  for (const candidate of autoOrder()) {
    try {
      return await selectEntry(await loadEntry(candidate));
    } catch (err) {
      if (!BackendUnavailableError.isInstance(err)) throw err;
      reasons.push(`${candidate}: ${err.reason}`);
      last = err;
    }
  }
  throw new BackendUnavailableError(last?.backend ?? 'cpu', `no backend could run here (${reasons.join('; ')})`, {
    cause: last,
  });
}

/** What is running now; the active backend must have been selected or probed through this package. */
export function currentBackendInfo(): BackendInfo {
  const active = tf.engine().backendName as string | null;
  const info = active ? infoForTfjsBackend(active) : undefined;
  if (!info) {
    throw new Error(
      `No backend was selected through @vaekit/backends (tfjs has ${active ? `'${active}'` : 'none'} active): ` +
        "call `await useBackend(name | 'auto')` first.",
    );
  }
  return info;
}
