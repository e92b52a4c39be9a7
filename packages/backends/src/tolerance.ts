import type { BackendName } from './names.js';

export interface Tolerance {
  rtol: number;
  atol: number;
}

// THE one place per-backend test tolerances live: |actual - expected| <= atol + rtol * |expected|, comparing a
// backend's float32 result with a reference. Measured, not guessed (see README "Tolerances"):
// - cpu: plain float32 in JavaScript, the reference the others are measured against.
// - wasm: XNNPACK and its own transcendental approximations; log1p differs from cpu by up to 1.3e-4 relative.
// - native: TensorFlow with oneDNN reorders reductions and fuses ops: differences of a few float32 ulps that
//   grow with the reduction length.
// - webgl: float32 render targets on SwiftShader (or a GPU) with GLSL's own exp/log.
// - webgpu: float32 storage buffers with WGSL's own exp/log. Measured in headless Chromium on SwiftShader
//   against cpu: 4096 inputs in [-4, 4] through exp, log, log1p, tanh, sigmoid, softplus stayed under 0.01
//   of this tolerance, a 128x256 @ 256x64 matMul reached 0.31, and every variant's loss terms and codes
//   differed by at most 9.5e-7 (0.1 of it).
const FLOAT32_TOLERANCE: Readonly<Record<BackendName, Tolerance>> = Object.freeze({
  cpu: Object.freeze({ rtol: 1e-5, atol: 1e-6 }),
  wasm: Object.freeze({ rtol: 2e-4, atol: 1e-5 }),
  native: Object.freeze({ rtol: 1e-4, atol: 1e-5 }),
  webgl: Object.freeze({ rtol: 1e-3, atol: 1e-4 }),
  webgpu: Object.freeze({ rtol: 1e-4, atol: 1e-5 }),
});

// A WebGL device without float32 render targets computes in float16: three decimal digits.
const FLOAT16_TOLERANCE: Readonly<Tolerance> = Object.freeze({ rtol: 1e-2, atol: 1e-3 });

/** The tolerance for comparing `name`'s float32 results with a reference computed elsewhere. */
export function backendTolerance(name: BackendName, floatPrecision: 16 | 32 = 32): Tolerance {
  const t = floatPrecision === 16 ? FLOAT16_TOLERANCE : FLOAT32_TOLERANCE[name];
  if (!t) throw new TypeError(`No tolerance for backend ${JSON.stringify(name)}.`);
  return { ...t };
}
