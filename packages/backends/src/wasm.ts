// @vaekit/backends/wasm: tfjs's WebAssembly backend (XNNPACK). In Node it finds its .wasm binaries next to
// its own code. In a browser a bundler moves files around, so the page says where the binaries are served:
// `configureWasm({ wasmPaths })` once at start-up (with Vite: `?url` imports, see the README), after which
// `useBackend('wasm')` and `useBackend('auto')` work as anywhere else.
import * as tf from '@tensorflow/tfjs-core';

import { floatPrecisionOf } from './activate.js';
import type { BackendEntry } from './backend-entry.js';
import { NOT_NATIVE } from './compiled-steps.js';
import { isBrowser, isNode } from './environment.js';
import { BackendUnavailableError } from './errors.js';
import type { BackendInfo } from './info.js';
import { importOptional } from './load-optional.js';
import { selectEntry } from './select-entry.js';
import { backendTolerance } from './tolerance.js';
import { installWasmTransposedMatMulFix } from './wasm-transposed-matmul.js';

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
  /** Where the .wasm binaries are served: a URL prefix or a map per file name. Needed in a browser, not in Node. */
  wasmPaths?: WasmPaths;
}

/** Why the wasm backend runs on as many threads as it does; see `wasmThreading()`. */
export interface WasmThreading {
  /** Threads in use: 1 unless the multithreaded binary runs. */
  threads: number;
  /** Whether tfjs chose the multithreaded binary (needs SharedArrayBuffer and WebAssembly threads). */
  multithreaded: boolean;
  /** The page's `crossOriginIsolated` flag; null outside a browser. */
  crossOriginIsolated: boolean | null;
  /** One sentence for people: why this many threads. */
  reason: string;
}

let loaded: WasmModule | undefined;
let configuredPaths: WasmPaths | undefined;
let pathsApplied = false;

function hasInstance(): boolean {
  return tf.engine().registry['wasm'] != null;
}

/**
 * Remembers where the .wasm binaries are served, without loading anything. Call it once at start-up in a
 * bundled page (before the wasm backend first initialises; afterwards tfjs would ignore it).
 */
export function configureWasm(options: WasmOptions): void {
  if (options.wasmPaths === undefined) return;
  if (JSON.stringify(options.wasmPaths) === JSON.stringify(configuredPaths)) return;
  if (hasInstance() && pathsApplied) {
    throw new Error('configureWasm: the wasm backend has already initialised; set wasmPaths before the first useBackend.');
  }
  configuredPaths = options.wasmPaths;
  pathsApplied = false;
  if (loaded) applyPaths(loaded);
}

function applyPaths(mod: WasmModule): void {
  if (configuredPaths === undefined || pathsApplied) return;
  // tfjs's setWasmPaths takes its own typed map; ours has the same keys.
  mod.setWasmPaths(configuredPaths as Parameters<WasmModule['setWasmPaths']>[0]);
  pathsApplied = true;
}

async function load(options: WasmOptions = {}): Promise<WasmModule> {
  if (options.wasmPaths !== undefined) configureWasm(options);
  if (isBrowser() && configuredPaths === undefined && !hasInstance()) {
    // Without the URLs tfjs guesses them relative to the page and fails with "wasm streaming compile failed"
    // (or a 404 HTML page fed to the compiler). Say what to do instead.
    throw new BackendUnavailableError(
      'wasm',
      'in a browser the wasm backend needs the URLs of its .wasm binaries: call configureWasm({ wasmPaths }) ' +
        "from '@vaekit/backends/wasm' before selecting it (with Vite, import each binary with '?url'; see the @vaekit/backends README).",
    );
  }
  loaded ??= await importOptional('wasm', PACKAGE, () => import('@tensorflow/tfjs-backend-wasm'));
  // Before the backend initialises, so the replaced kernels' setup functions run as usual.
  installWasmTransposedMatMulFix();
  applyPaths(loaded);
  return loaded;
}

function pageIsolated(): boolean | null {
  if (isNode() || typeof globalThis.crossOriginIsolated !== 'boolean') return null;
  return globalThis.crossOriginIsolated;
}

/** How many threads the wasm backend runs on and why; call while it is (or was) initialised. */
export async function wasmThreading(): Promise<WasmThreading> {
  const mod = await load();
  const isolated = pageIsolated();
  // tfjs picks the threaded binary when this flag is true (and SIMD is there); in Node the flag is always
  // false (upstream keeps multithreading off there), in a browser it needs a cross-origin-isolated page.
  const multithreaded =
    (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true && (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  if (!multithreaded) {
    const reason = isNode()
      ? 'Node: tfjs-backend-wasm keeps multithreading off there'
      : isolated === false
        ? 'the page is not cross-origin isolated (serve it with COOP same-origin and COEP require-corp for threads)'
        : 'this runtime has no WebAssembly threads (SharedArrayBuffer)';
    return { threads: 1, multithreaded: false, crossOriginIsolated: isolated, reason };
  }
  const threads = hasInstance() ? Math.max(1, mod.getThreadsCount()) : 1;
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : undefined;
  const reason =
    threads > 1
      ? `cross-origin isolated: a pool of ${threads} threads`
      : `cross-origin isolated and the threaded binary runs, but tfjs's default pool${
          cores ? ` for ${cores} logical cores` : ''
        } is 1 thread`;
  return { threads, multithreaded: true, crossOriginIsolated: isolated, reason };
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
    const { threads, multithreaded } = await wasmThreading();
    const build = multithreaded ? ', threaded build' : '';
    return {
      name: 'wasm',
      tfjsBackend: 'wasm',
      tfjsVersion: mod.version_wasm,
      runtime: `WebAssembly${simd ? ' SIMD' : ''}${build}${multithreaded || threads > 1 ? `, ${threads} thread${threads > 1 ? 's' : ''}` : ''}`,
      simd,
      threads,
      floatPrecision: floatPrecisionOf('wasm'),
      tolerance: backendTolerance('wasm'),
      ...NOT_NATIVE,
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
