// tfjs-backend-webgpu 4.22's matMul programs on a software adapter, where each of them is slow for the same
// reason: they synchronise the invocations of a workgroup with barriers, and SwiftShader runs those
// invocations as CPU fibers, so every barrier switches between all of them. On software adapters this
// module replaces the BatchMatMul and _FusedMatMul kernels with ones that run vaekit's blocked program
// (webgpu-blocked-matmul.ts, no barriers) wherever it applies, unless tfjs's WEBGPU_MATMUL_PROGRAM_TYPE
// flag names one of tfjs's programs. Where it does not apply (a prelu or leakyrelu activation, batch
// dimensions that broadcast), tfjs's kernel runs, but never with its "reduce" program: for
// a matMul whose output has at most 128 elements tfjs picks that one (a 256-invocation workgroup per output
// element, a barrier per step), and measured in headless Chromium on SwiftShader, per call with the
// read-back, 8x10 @ 10x12 took 160 ms with it and 3.7 ms with tfjs's small-output program (same values).
// Hardware adapters keep tfjs's kernels untouched (not measured here: there is no GPU).
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

import { blockedMatMulKernel } from './webgpu-blocked-matmul.js';

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

function softwareMatMul(original: KernelConfig): KernelConfig {
  const withoutReduceProgram: KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean };
    const env = tf.env();
    if (outputSize(a, b, attrs.transposeA === true, attrs.transposeB === true) > REDUCE_MAX_OUTPUT) return original.kernelFunc(args);
    env.set(PROGRAM_FLAG, SMALL_OUTPUT_PROGRAM);
    try {
      return original.kernelFunc(args);
    } finally {
      env.set(PROGRAM_FLAG, -1);
    }
  };
  const blocked = blockedMatMulKernel(withoutReduceProgram);
  // Someone chose one of tfjs's programs on purpose: leave it.
  const kernelFunc: KernelFunc = (args) => (tf.env().getNumber(PROGRAM_FLAG) >= 0 ? original.kernelFunc(args) : blocked(args));
  return { ...original, kernelFunc };
}

/**
 * Makes tfjs's webgpu matMul kernels run the blocked program, or tfjs's small-output program instead of its
 * reduce program. Call after tfjs-backend-webgpu is imported, for a software adapter. Idempotent; false when
 * the kernels are missing.
 */
export function installWebgpuSmallMatMulFix(): boolean {
  let installed = false;
  for (const name of MATMUL_KERNELS) {
    const current = tf.getKernel(name, 'webgpu');
    if (!current) continue;
    if (INSTALLED.get(name) !== current) {
      tf.unregisterKernel(name, 'webgpu');
      tf.registerKernel(softwareMatMul(current));
      INSTALLED.set(name, tf.getKernel(name, 'webgpu')!);
    }
    installed = true;
  }
  return installed;
}

/** Whether the software-adapter matMul kernels are the ones tfjs runs on webgpu. */
export function webgpuSmallMatMulFixActive(): boolean {
  return MATMUL_KERNELS.every((name) => {
    const current = tf.getKernel(name, 'webgpu');
    return current !== undefined && INSTALLED.get(name) === current;
  });
}
