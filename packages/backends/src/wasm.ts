// @vaekit/backends/wasm: tfjs's WebAssembly backend (XNNPACK). In Node it finds its .wasm binaries next to
// its own code; a bundler needs their URLs handed over (`registerWasm({ wasmPaths })`).
import * as tf from '@tensorflow/tfjs-core';

import { floatPrecisionOf } from './activate.js';
import type { BackendEntry } from './backend-entry.js';
import { isNode } from './environment.js';
import type { BackendInfo } from './info.js';
import { importOptional } from './load-optional.js';
import { selectEntry } from './select-entry.js';
import { backendTolerance } from './tolerance.js';

const PACKAGE = '@tensorflow/tfjs-backend-wasm';

type WasmModule = typeof import('@tensorflow/tfjs-backend-wasm');

/** The three binaries tfjs-backend-wasm may fetch, by file name. */
export type WasmBinaryName = 'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm';
/**
 * A URL prefix ending in '/' or a URL per binary. Declared here rather than borrowed from tfjs-backend-wasm
 * so these typings do not require an optional peer dependency to be installed.
 */
export type WasmPaths = string | Partial<Record<WasmBinaryName, string>>;

export interface WasmOptions {
  /** Where the .wasm binaries are served: a URL prefix or a map per file name. Not needed in Node. */
  wasmPaths?: WasmPaths;
}

let loaded: WasmModule | undefined;

async function load(options: WasmOptions = {}): Promise<WasmModule> {
  loaded ??= await importOptional('wasm', PACKAGE, () => import('@tensorflow/tfjs-backend-wasm'));
  // Must happen before the backend initialises; tfjs ignores it afterwards.
  if (options.wasmPaths !== undefined) loaded.setWasmPaths(options.wasmPaths);
  return loaded;
}

async function threadCount(mod: WasmModule): Promise<number> {
  // Node: upstream keeps multithreading off (WASM_HAS_MULTITHREAD_SUPPORT is false there). A browser runs
  // threads only on a cross-origin-isolated page; tfjs then reports its pool size.
  const multithread = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
  if (isNode() || !multithread) return 1;
  return Math.max(1, mod.getThreadsCount());
}

export const wasmBackend: BackendEntry = {
  name: 'wasm',
  tfjsBackend: 'wasm',
  async register() {
    await load();
  },
  async describe(): Promise<BackendInfo> {
    const mod = await load();
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
    const threads = await threadCount(mod);
    return {
      name: 'wasm',
      tfjsBackend: 'wasm',
      tfjsVersion: mod.version_wasm,
      runtime: `WebAssembly${simd ? ' SIMD' : ''}${threads > 1 ? `, ${threads} threads` : ''}`,
      simd,
      threads,
      floatPrecision: floatPrecisionOf('wasm'),
      tolerance: backendTolerance('wasm'),
    };
  },
};

/** Loads and registers the wasm backend without selecting it; pass `wasmPaths` under a bundler. */
export async function registerWasm(options?: WasmOptions): Promise<void> {
  await load(options);
}

/** Selects the wasm backend; throws BackendUnavailableError if it cannot run. */
export async function useWasm(options?: WasmOptions): Promise<BackendInfo> {
  await load(options);
  return selectEntry(wasmBackend);
}
