import type { BackendEntry } from './backend-entry.js';
import type { BackendName } from './names.js';

/**
 * The entry module for one backend, imported only when asked for: loading `@vaekit/backends` alone pulls in
 * no backend package, so a browser app never sees tfjs-node and a wasm user never loads the native addon.
 */
export async function loadEntry(name: BackendName): Promise<BackendEntry> {
  switch (name) {
    case 'native':
      return (await import('./native.js')).nativeBackend;
    case 'wasm':
      return (await import('./wasm.js')).wasmBackend;
    case 'webgl':
      return (await import('./webgl.js')).webglBackend;
    case 'webgpu':
      return (await import('./webgpu.js')).webgpuBackend;
    case 'cpu':
      return (await import('./cpu.js')).cpuBackend;
  }
}
