import * as tf from '@tensorflow/tfjs-core';

import { BackendUnavailableError } from './errors.js';
import type { BackendName } from './names.js';

/** Whether tfjs holds a working instance of `tfjsBackend` (a failed init leaves none). */
function hasInstance(tfjsBackend: string): boolean {
  return tf.engine().registry[tfjsBackend] != null;
}

/**
 * Makes `tfjsBackend` the active tfjs backend and checks that it really is: `tf.setBackend` can resolve false
 * and leave tfjs on a name with no instance behind it, after which it quietly falls back on first use.
 * On failure the previously active backend is restored.
 */
export async function activate(name: BackendName, tfjsBackend: string): Promise<void> {
  const previous = tf.engine().backendName as string | null;
  let ok = false;
  let cause: unknown;
  try {
    ok = await tf.setBackend(tfjsBackend);
  } catch (err) {
    cause = err;
  }
  if (ok && tf.getBackend() === tfjsBackend && hasInstance(tfjsBackend)) return;

  if (previous && previous !== tfjsBackend && hasInstance(previous)) await tf.setBackend(previous);
  const detail = cause instanceof Error ? `: ${cause.message}` : ' (tfjs printed the cause as a warning above)';
  throw new BackendUnavailableError(name, `tfjs could not initialise its '${tfjsBackend}' backend${detail}`, {
    cause,
  });
}

/** The backend's own report of its float precision; 16 only on WebGL devices without float32 textures. */
export function floatPrecisionOf(tfjsBackend: string): 16 | 32 {
  return tf.findBackend(tfjsBackend)?.floatPrecision() === 16 ? 16 : 32;
}

/** Leaves tfjs with `previous` active again, or with nothing selected when nothing was (see listBackends). */
export async function restore(previous: string | null): Promise<void> {
  if (previous && hasInstance(previous)) {
    await tf.setBackend(previous);
    return;
  }
  // tfjs has no public "unselect": clear the two fields its getter checks, so the next op picks the
  // highest-priority backend exactly as it would have had we never probed. `backendInstance` is private
  // in tfjs-core's typings, hence the structural cast.
  const engine = tf.engine() as unknown as { backendName: string | null; backendInstance: unknown };
  engine.backendName = null;
  engine.backendInstance = null;
}
