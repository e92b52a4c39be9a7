import type { BackendName } from './names.js';
import type { Tolerance } from './tolerance.js';

/** What is running: reported after a backend is selected, so the numbers are the real ones. */
export interface BackendInfo {
  name: BackendName;
  /** What `tf.getBackend()` reports for it. */
  tfjsBackend: string;
  tfjsVersion: string;
  /** The engine underneath, e.g. 'TensorFlow 2.21.0 (C library)', 'WebAssembly SIMD', 'JavaScript'. */
  runtime: string;
  /** Whether SIMD is in use; null where it is not ours to know (TensorFlow picks its own CPU kernels). */
  simd: boolean | null;
  threads: number;
  floatPrecision: 16 | 32;
  /** The tolerance to compare this backend's results with, see `backendTolerance`. */
  tolerance: Tolerance;
}

export interface BackendAvailability {
  name: BackendName;
  available: boolean;
  reason?: string;
  info?: BackendInfo;
}
