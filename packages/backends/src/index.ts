// @vaekit/backends: select and inspect the TensorFlow.js compute backend. Each backend's tfjs package is an
// optional peer dependency, loaded only when that backend is asked for.
export { BACKEND_NAMES, isBackendName } from './names.js';
export type { BackendName } from './names.js';
export type { BackendAvailability, BackendInfo } from './info.js';
export type { WebgpuAdapterReport, WebgpuLimits } from './webgpu-adapter.js';
export type { Tolerance } from './tolerance.js';
export type { BackendEntry } from './backend-entry.js';
export { BackendUnavailableError } from './errors.js';
export { backendTolerance } from './tolerance.js';
export { NATIVE_EXTENSIONS_VERSION, compiledStepsSupport } from './compiled-steps.js';
export type { CompiledStepsSupport, NativeBindingExtensions } from './compiled-steps.js';
export { collectiveOpsSupport } from './collective-ops.js';
export type { CollectiveOpsSupport, NativeCollectiveOps } from './collective-ops.js';
export { listBackends } from './list-backends.js';
export { currentBackendInfo, useBackend } from './use-backend.js';
