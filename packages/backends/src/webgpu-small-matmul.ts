// tfjs-backend-webgpu 4.22 computes a matMul whose output has at most 128 elements with its "reduce"
// program: one workgroup of 256 invocations per output element, summing through workgroup memory with a
// barrier per step. On a software adapter (SwiftShader, where invocations are CPU fibers and each barrier
// switches between all of them) that is the slowest program tfjs has. Measured in headless Chromium on
// SwiftShader, per call with the read-back: 8x10 @ 10x12 took 160 ms with the reduce program and 3.7 ms
// with tfjs's small-output program (same values); a tiny VAE's loss spent 259 of 271 ms in four such
// matMuls. On software adapters this replacement runs those matMuls with the small-output program by
// setting tfjs's own program switch for the call. Hardware adapters keep tfjs's choice (not measured here).
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

const MATMUL_KERNELS = ['BatchMatMul', '_FusedMatMul'] as const;
const PROGRAM_FLAG = 'WEBGPU_MATMUL_PROGRAM_TYPE';
/** tfjs's MatMulProgramType.MatMulSmallOutputSizeProgram. */
const SMALL_OUTPUT_PROGRAM = 2;
/** The output size at and below which tfjs picks its reduce program. */
const REDUCE_MAX_OUTPUT = 128;

const INSTALLED = new Map<string, KernelConfig>();

function outputSize(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): number {
  const batchOf = (shape: readonly number[]) => shape.slice(0, -2).reduce((p, d) => p * d, 1);
  const rows = transposeA ? a.shape[a.shape.length - 1]! : a.shape[a.shape.length - 2]!;
  const cols = transposeB ? b.shape[b.shape.length - 2]! : b.shape[b.shape.length - 1]!;
  return Math.max(batchOf(a.shape), batchOf(b.shape)) * rows * cols;
}

function avoidReduceProgram(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean };
    const env = tf.env();
    // Someone chose a program on purpose: leave it.
    if (env.getNumber(PROGRAM_FLAG) >= 0) return original.kernelFunc(args);
    if (outputSize(a, b, attrs.transposeA === true, attrs.transposeB === true) > REDUCE_MAX_OUTPUT) return original.kernelFunc(args);
    env.set(PROGRAM_FLAG, SMALL_OUTPUT_PROGRAM);
    try {
      return original.kernelFunc(args);
    } finally {
      env.set(PROGRAM_FLAG, -1);
    }
  };
  return { ...original, kernelFunc };
}

/**
 * Makes tfjs's webgpu matMul kernels use the small-output program instead of the reduce program. Call after
 * tfjs-backend-webgpu is imported, for a software adapter. Idempotent; false when the kernels are missing.
 */
export function installWebgpuSmallMatMulFix(): boolean {
  let installed = false;
  for (const name of MATMUL_KERNELS) {
    const current = tf.getKernel(name, 'webgpu');
    if (!current) continue;
    if (INSTALLED.get(name) !== current) {
      tf.unregisterKernel(name, 'webgpu');
      tf.registerKernel(avoidReduceProgram(current));
      INSTALLED.set(name, tf.getKernel(name, 'webgpu')!);
    }
    installed = true;
  }
  return installed;
}

/** Whether the replacement matMul kernels are the ones tfjs runs on webgpu. */
export function webgpuSmallMatMulFixActive(): boolean {
  return MATMUL_KERNELS.every((name) => {
    const current = tf.getKernel(name, 'webgpu');
    return current !== undefined && INSTALLED.get(name) === current;
  });
}
