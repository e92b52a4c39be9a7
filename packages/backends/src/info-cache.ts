import type { BackendInfo } from './info.js';

// Infos are measured asynchronously (wasm's SIMD flag is an async probe) but `currentBackendInfo` is
// synchronous: remember each one when a backend is selected or probed.
const infos = new Map<string, BackendInfo>();

export function rememberInfo(info: BackendInfo): BackendInfo {
  infos.set(info.tfjsBackend, info);
  return info;
}

export function infoForTfjsBackend(tfjsBackend: string): BackendInfo | undefined {
  return infos.get(tfjsBackend);
}
