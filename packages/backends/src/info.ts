import type { BackendName } from './names.js';
import type { Tolerance } from './tolerance.js';
import type { WebgpuAdapterReport } from './webgpu-adapter.js';

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
  /**
   * Whether a training step can run as one compiled TensorFlow function here: native only, and only on a
   * tfjs-node addon built with vaekit's binding patch (`vaekit-native-setup` builds it so).
   */
  compiledSteps: boolean;
  /** Why not, when `compiledSteps` is false: one sentence that says what to do where something can be done. */
  compiledStepsReason?: string;
  /** The WebGPU adapter (vendor, architecture, features, limits) on webgpu; absent on the other backends. */
  adapter?: WebgpuAdapterReport;
}

export interface BackendAvailability {
  name: BackendName;
  available: boolean;
  reason?: string;
  info?: BackendInfo;
}
