// @vaekit/backends/webgl: tfjs's WebGL backend. It runs where WebGL lives, a browser; in Node it reports
// itself unavailable with the reason rather than letting tfjs fall back silently. In a browser it first asks
// for a WebGL context itself, so "no WebGL here" comes with a reason instead of a tfjs console warning and a
// quiet switch to another backend.
import * as tf from '@tensorflow/tfjs-core';

import { floatPrecisionOf } from './activate.js';
import type { BackendEntry } from './backend-entry.js';
import { NOT_NATIVE } from './compiled-steps.js';
import { isBrowser, isNode, runtimeLabel } from './environment.js';
import { BackendUnavailableError } from './errors.js';
import type { BackendInfo } from './info.js';
import { importOptional } from './load-optional.js';
import { selectEntry } from './select-entry.js';
import { backendTolerance } from './tolerance.js';

const PACKAGE = '@tensorflow/tfjs-backend-webgl';

/** What the browser's WebGL says about itself, read once from a throwaway context. */
export interface WebglProbe {
  /** 2 for WebGL2, 1 for WebGL1 only. */
  version: 1 | 2;
  /** The unmasked renderer where the browser tells (e.g. 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device ...))'). */
  renderer: string | null;
}

function unavailableHere(): string | undefined {
  if (isNode()) {
    return 'WebGL needs a browser: Node has no WebGL2. Run the webgl backend in Chromium (e.g. Vitest browser mode), or pick native, wasm or cpu in Node.';
  }
  if (!isBrowser()) return `WebGL needs a browser; ${runtimeLabel()} has no WebGL2.`;
  return undefined;
}

type GlContext = WebGL2RenderingContext | WebGLRenderingContext;

function openContext(version: 1 | 2): GlContext | null {
  const canvas = document.createElement('canvas');
  canvas.width = 1;
  canvas.height = 1;
  // The same attributes tfjs asks for, so a context we get is one tfjs can get too.
  const attributes: WebGLContextAttributes = {
    alpha: false,
    antialias: false,
    premultipliedAlpha: false,
    preserveDrawingBuffer: false,
    depth: false,
    stencil: false,
    failIfMajorPerformanceCaveat: true,
  };
  try {
    return canvas.getContext(version === 2 ? 'webgl2' : 'webgl', attributes) as GlContext | null;
  } catch {
    return null;
  }
}

/**
 * 32 when tfjs renders to float32 textures, else what tfjs measures. tfjs's own `floatPrecision()` answers 16
 * whenever WEBGL_RENDER_FLOAT32_ENABLED is on (its underflow check only runs when the flag is off), so on a
 * float32 device it under-reports; the flag is what decides the texture format, so ask it.
 */
export function webglFloatPrecision(): 16 | 32 {
  return tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED') ? 32 : floatPrecisionOf('webgl');
}

function release(gl: GlContext): void {
  gl.getExtension('WEBGL_lose_context')?.loseContext();
}

let probed: WebglProbe | undefined;

/**
 * Asks the browser for a WebGL2 (else WebGL1) context. Throws BackendUnavailableError naming the likely
 * cause when there is none; the result is remembered.
 */
export function probeWebgl(): WebglProbe {
  if (probed) return probed;
  const reason = unavailableHere();
  if (reason) throw new BackendUnavailableError('webgl', reason);
  for (const version of [2, 1] as const) {
    const gl = openContext(version);
    if (!gl) continue;
    let renderer: string | null = null;
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    if (debug) renderer = String(gl.getParameter(debug.UNMASKED_RENDERER_WEBGL));
    renderer ??= String(gl.getParameter(gl.RENDERER));
    release(gl);
    probed = { version, renderer };
    return probed;
  }
  throw new BackendUnavailableError(
    'webgl',
    'this browser gives no WebGL context (hardware acceleration off or the GPU blocklisted, and no software ' +
      "fallback such as SwiftShader). Enable WebGL, or pick 'wasm'.",
  );
}

export const webglBackend: BackendEntry = {
  name: 'webgl',
  tfjsBackend: 'webgl',
  async register() {
    probeWebgl();
    await importOptional('webgl', PACKAGE, () => import('@tensorflow/tfjs-backend-webgl'));
  },
  async describe(): Promise<BackendInfo> {
    const floatPrecision = webglFloatPrecision();
    const { renderer } = probeWebgl();
    // tfjs settles WEBGL_VERSION when the backend initialises; report what it uses, not what we probed.
    const version = tf.env().getNumber('WEBGL_VERSION');
    return {
      name: 'webgl',
      tfjsBackend: 'webgl',
      tfjsVersion: tf.version_core,
      runtime: `WebGL ${version}${renderer ? ` on ${renderer}` : ''}`,
      simd: null,
      // The work runs on the GPU (or SwiftShader); one JavaScript thread drives it.
      threads: 1,
      floatPrecision,
      tolerance: backendTolerance('webgl', floatPrecision),
      ...NOT_NATIVE,
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
