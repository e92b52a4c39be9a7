// @vaekit/backends/native: TensorFlow's C library through @tensorflow/tfjs-node's addon, built from source by
// this package's `vaekit-native-setup` command against the library inside the tensorflow-cpu 2.21.0 wheel.
// Node only.
import * as tf from '@tensorflow/tfjs-core';

import { floatPrecisionOf, restore } from './activate.js';
import type { BackendEntry } from './backend-entry.js';
import { compiledStepsSupport } from './compiled-steps.js';
import type { CompiledStepsSupport } from './compiled-steps.js';
import { isNode } from './environment.js';
import { BackendUnavailableError } from './errors.js';
import type { BackendInfo } from './info.js';
import { firstLine, importOptional } from './load-optional.js';
import { capOneDnnIsa, fixInt32Round } from './native-fixes.js';
import { selectEntry } from './select-entry.js';
import { backendTolerance } from './tolerance.js';

const PACKAGE = '@tensorflow/tfjs-node';
const TFJS_BACKEND = 'tensorflow';
// A plain install runs tfjs-node's own script, which downloads a prebuilt libtensorflow 2.9 from outside
// the registry; installing without it and building against TensorFlow 2.21 works where that is blocked.
const NOT_INSTALLED_HINT =
  `npm install --ignore-scripts ${PACKAGE}@${tf.version_core} && npx vaekit-native-setup ` +
  `(or a plain install, whose own script downloads a prebuilt libtensorflow 2.9)`;
const SETUP_HINT =
  'run `npx vaekit-native-setup` in your project (`node scripts/setup-native.mjs` in the vaekit workspace): it ' +
  "builds the addon against TensorFlow 2.21's C library (see the @vaekit/backends README; " +
  'VAEKIT_LIBTENSORFLOW_DIR uses your own library instead)';

type TfjsNodeModule = typeof import('@tensorflow/tfjs-node');

/** Turns tfjs-node's load failures into what the user should do. */
function explainLoadFailure(err: unknown): string | undefined {
  const message = err instanceof Error ? err.message : String(err);
  if (message.includes('tfjs_binding.node') && /can ?not be found/i.test(message)) {
    return `the native addon was not built: ${SETUP_HINT}`;
  }
  const missingLib = /(lib\w*tensorflow[\w.]*): cannot open shared object file/.exec(message);
  if (missingLib) {
    return `the native addon cannot find ${missingLib[1]} (its deps link to the TensorFlow C library is missing or stale): ${SETUP_HINT}`;
  }
  if (/undefined symbol|wrong ELF class|invalid ELF header/i.test(message)) {
    return `the native addon does not match the TensorFlow C library it found (${firstLine(message)}): ${SETUP_HINT}`;
  }
  return undefined;
}

let loaded: TfjsNodeModule | undefined;

async function load(): Promise<TfjsNodeModule> {
  if (loaded) return loaded;
  if (!isNode()) {
    throw new BackendUnavailableError('native', 'the native backend needs Node: a browser cannot load TensorFlow\'s C library. Use webgl or wasm.');
  }
  // TensorFlow 2.21 logs oneDNN and CPU-feature notices on load; quiet them unless the user chose a level.
  process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '2';
  capOneDnnIsa();
  const previous = tf.engine().backendName as string | null;
  // The specifier is a variable so browser bundlers do not try to bundle a Node addon.
  const specifier: string = PACKAGE;
  const mod = await importOptional<TfjsNodeModule>(
    'native',
    PACKAGE,
    () => import(/* @vite-ignore */ specifier) as Promise<TfjsNodeModule>,
    explainLoadFailure,
    NOT_INSTALLED_HINT,
  );
  // Importing tfjs-node selects its backend as a side effect; registering must not change the selection.
  if (previous !== TFJS_BACKEND) await restore(previous);
  fixInt32Round(TFJS_BACKEND);
  loaded = mod;
  return mod;
}

/** The addon tfjs-node loaded: its backend keeps it on a public `binding` field its typings do not declare. */
function nativeBinding(): unknown {
  const backend = tf.findBackend(TFJS_BACKEND) as unknown as { binding?: unknown } | undefined;
  return backend?.binding;
}

/** TensorFlow's version as its C library reports it (TF_Version), read from the addon tfjs-node loaded. */
function tensorflowVersion(): string {
  const binding = nativeBinding() as { TF_Version?: unknown } | undefined;
  const version = binding?.TF_Version;
  return typeof version === 'string' ? version : 'unknown';
}

/** TensorFlow sizes its intra-op pool to the usable cores unless TF_NUM_INTRAOP_THREADS says otherwise. */
async function intraOpThreads(): Promise<number> {
  const fromEnv = Number.parseInt(process.env['TF_NUM_INTRAOP_THREADS'] ?? '', 10);
  if (Number.isFinite(fromEnv) && fromEnv > 0) return fromEnv;
  // Imported here, not at the top, so this entry never drags a Node built-in into a browser bundle.
  const osModule: string = 'node:os';
  const os = (await import(/* @vite-ignore */ osModule)) as typeof import('node:os');
  return os.availableParallelism();
}

export const nativeBackend: BackendEntry = {
  name: 'native',
  tfjsBackend: TFJS_BACKEND,
  async register() {
    await load();
  },
  async describe(): Promise<BackendInfo> {
    const mod = await load();
    const compiled = compiledStepsSupport(nativeBinding());
    return {
      name: 'native',
      tfjsBackend: TFJS_BACKEND,
      tfjsVersion: mod.version['tfjs-node'] ?? tf.version_core,
      runtime: `TensorFlow ${tensorflowVersion()} (C library)`,
      // TensorFlow picks its own vectorised CPU kernels (oneDNN, Eigen): not something tfjs can see.
      simd: null,
      threads: await intraOpThreads(),
      floatPrecision: floatPrecisionOf(TFJS_BACKEND),
      tolerance: backendTolerance('native'),
      compiledSteps: compiled.available,
      ...(compiled.available ? {} : { compiledStepsReason: compiled.reason }),
    };
  },
};

/** Loads tfjs-node and registers its backend without selecting it. */
export async function registerNative(): Promise<void> {
  await load();
}

/**
 * Whether the loaded tfjs-node addon carries vaekit's binding extensions (compiled steps), and why not.
 * Loads tfjs-node if it is not loaded yet; throws BackendUnavailableError if it cannot be.
 */
export async function nativeCompiledSteps(): Promise<CompiledStepsSupport> {
  await load();
  return compiledStepsSupport(nativeBinding());
}

/** Selects the native backend; throws BackendUnavailableError (with what to do) if it cannot run. */
export function useNative(): Promise<BackendInfo> {
  return selectEntry(nativeBackend);
}
