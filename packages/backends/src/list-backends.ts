import * as tf from '@tensorflow/tfjs-core';

import { activate, restore } from './activate.js';
import { BackendUnavailableError } from './errors.js';
import type { BackendAvailability } from './info.js';
import { rememberInfo } from './info-cache.js';
import { loadEntry } from './load-entry.js';
import { BACKEND_NAMES } from './names.js';

/**
 * Probes every backend: loads it, selects it long enough to describe it, and reports why not where it cannot
 * run. Afterwards the backend that was active before is active again (or none, if none was).
 */
export async function listBackends(): Promise<BackendAvailability[]> {
  const previous = tf.engine().backendName as string | null;
  const result: BackendAvailability[] = [];
  try {
    for (const name of BACKEND_NAMES) {
      try {
        const entry = await loadEntry(name);
        await entry.register();
        await activate(name, entry.tfjsBackend);
        entry.afterSelect?.();
        const info = rememberInfo(await entry.describe());
        result.push({ name, available: true, info });
      } catch (err) {
        if (!BackendUnavailableError.isInstance(err)) throw err;
        result.push({ name, available: false, reason: err.reason });
      }
    }
  } finally {
    await restore(previous);
  }
  return result;
}
