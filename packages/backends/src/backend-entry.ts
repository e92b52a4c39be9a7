import type { BackendInfo } from './info.js';
import type { BackendName } from './names.js';

/**
 * One compute backend, as each subpath entry (`@vaekit/backends/wasm`, ...) exports it. The root entry
 * drives these without knowing which tfjs package sits behind each.
 */
export interface BackendEntry {
  readonly name: BackendName;
  /** The name tfjs registers it under, and what `tf.getBackend()` then reports. */
  readonly tfjsBackend: string;
  /** Loads the tfjs backend package and registers it with tfjs-core, without selecting it. */
  register(): Promise<void>;
  /** Runs once it is active, for backend-specific adjustments of the live instance. */
  afterSelect?(): void;
  /** Describes the backend; call while it is the active one, so the figures are the ones in use. */
  describe(): Promise<BackendInfo>;
}
