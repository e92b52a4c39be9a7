// The wasm backend multiplies with a transposed operand 13-66x slower than without one (its XNNPACK path
// only has a fast kernel for plain row-major operands), and tfjs's matMul gradient asks for exactly that:
// dA = dY * B^T and dB = A^T * dY. So a wasm training step spent ~90% of its time there.
//
// The fix sits at the kernel, where the cost is: on wasm, BatchMatMul and _FusedMatMul with a transposed
// operand first run the (fast, linear-time) Transpose kernel, then the plain product. Every caller gains:
// tfjs's own gradients, tfjs-layers, and users' code; nothing above the kernel has to know.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

const MATMUL_KERNELS = ['BatchMatMul', '_FusedMatMul'] as const;
const INSTALLED = new Map<string, KernelConfig>();

/** Environment switch for measuring the stock kernels side by side (the benchmark's "before"). */
export const STOCK_MATMUL_ENV = 'VAEKIT_WASM_STOCK_MATMUL';

interface Backendish {
  disposeData(dataId: object): void;
}

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  return perm;
}

function explicitTransposeKernel(original: KernelConfig, transpose: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const attrs = args.attrs as NamedAttrMap & { transposeA?: boolean; transposeB?: boolean };
    if (!attrs.transposeA && !attrs.transposeB) return original.kernelFunc(args);
    const backend = args.backend as unknown as Backendish;
    const made: TensorInfo[] = [];
    const transposed = (t: TensorInfo): TensorInfo => {
      const out = transpose.kernelFunc({
        inputs: { x: t },
        backend: args.backend,
        attrs: { perm: swapLastTwo(t.shape.length) },
      }) as TensorInfo;
      made.push(out);
      return out;
    };
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    try {
      return original.kernelFunc({
        ...args,
        inputs: { ...args.inputs, a: attrs.transposeA ? transposed(a) : a, b: attrs.transposeB ? transposed(b) : b },
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const t of made) backend.disposeData(t.dataId);
    }
  };
  return { ...original, kernelFunc };
}

/**
 * Replaces the wasm matMul kernels with ones that transpose explicitly. Call after tfjs-backend-wasm is
 * imported and before the wasm backend first initialises (its setup functions are kept). Idempotent.
 * Returns false when switched off by VAEKIT_WASM_STOCK_MATMUL=1 or when the kernels are not registered.
 */
export function installWasmTransposedMatMulFix(): boolean {
  if (stockRequested()) return false;
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!transpose) return false;
  let installed = false;
  for (const name of MATMUL_KERNELS) {
    const current = tf.getKernel(name, 'wasm');
    if (!current) continue;
    if (INSTALLED.get(name) === current) {
      installed = true;
      continue;
    }
    const replacement = explicitTransposeKernel(current, transpose);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(replacement);
    INSTALLED.set(name, tf.getKernel(name, 'wasm')!);
    installed = true;
  }
  return installed;
}

/** Whether the explicit-transpose kernels are the ones tfjs will run on wasm. */
export function wasmTransposedMatMulFixActive(): boolean {
  return MATMUL_KERNELS.every((name) => {
    const current = tf.getKernel(name, 'wasm');
    return current !== undefined && INSTALLED.get(name) === current;
  });
}

function stockRequested(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.[STOCK_MATMUL_ENV] === '1';
}
