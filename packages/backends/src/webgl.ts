// @vaekit/backends/webgl: tfjs's WebGL backend. It runs where WebGL2 lives, a browser; in Node it reports
// itself unavailable with the reason rather than letting tfjs fall back silently.
import * as tf from '@tensorflow/tfjs-core';

import { floatPrecisionOf } from './activate.js';
import type { BackendEntry } from './backend-entry.js';
import { isBrowser, isNode, runtimeLabel } from './environment.js';
import { BackendUnavailableError } from './errors.js';
import type { BackendInfo } from './info.js';
import { importOptional } from './load-optional.js';
import { selectEntry } from './select-entry.js';
import { backendTolerance } from './tolerance.js';

const PACKAGE = '@tensorflow/tfjs-backend-webgl';

function unavailableHere(): string | undefined {
  if (isNode()) {
    return 'WebGL needs a browser: Node has no WebGL2. Run the webgl backend in Chromium (e.g. Vitest browser mode), or pick native, wasm or cpu in Node.';
  }
  if (!isBrowser()) return `WebGL needs a browser; ${runtimeLabel()} has no WebGL2.`;
  return undefined;
}

export const webglBackend: BackendEntry = {
  name: 'webgl',
  tfjsBackend: 'webgl',
  async register() {
    const reason = unavailableHere();
    if (reason) throw new BackendUnavailableError('webgl', reason);
    await importOptional('webgl', PACKAGE, () => import('@tensorflow/tfjs-backend-webgl'));
  },
  async describe(): Promise<BackendInfo> {
    const floatPrecision = floatPrecisionOf('webgl');
    return {
      name: 'webgl',
      tfjsBackend: 'webgl',
      tfjsVersion: tf.version_core,
      runtime: `WebGL ${tf.env().getNumber('WEBGL_VERSION')}`,
      simd: null,
      // The work runs on the GPU (or SwiftShader); one JavaScript thread drives it.
      threads: 1,
      floatPrecision,
      tolerance: backendTolerance('webgl', floatPrecision),
    };
  },
};

/** Loads and registers the webgl backend without selecting it. */
export function registerWebgl(): Promise<void> {
  return webglBackend.register();
}

/** Selects the webgl backend; throws BackendUnavailableError if it cannot run (always, in Node). */
export function useWebgl(): Promise<BackendInfo> {
  return selectEntry(webglBackend);
}
