// A matMul program for software WebGPU adapters. tfjs-backend-webgpu 4.22's matMul programs stage tiles of
// A and B in workgroup memory with a barrier per tile; SwiftShader runs a workgroup's invocations as CPU
// fibers, so each barrier switches between all of them, and those programs ran the web app's step at
// 20-40 million multiply-adds per second. This program uses neither: each invocation reads its rows of A
// and columns of B straight from the storage buffers and keeps a 4x4 block of the output in registers.
// Measured in headless Chromium on SwiftShader (apps/web/scripts/measure-steps.mjs --matmul): 100x784 @
// 784x256 took 460-620 ms with tfjs's programs and 80-150 ms with this one, with identical values; the
// other matMuls of the web app's training step gained 3-8x the same way.
import { backend_util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

import { flatDispatch, type ProgramUniform, type WebgpuProgram, type WebgpuProgramRunner } from './webgpu-program.js';

/** Output rows and columns one invocation computes. */
const BLOCK = 4;
/** Invocations per workgroup: 16 to 64 measured alike on SwiftShader. */
const WORKGROUP = 32;

/** The fused activations this program applies after the bias, with tfjs's formulas. */
const ACTIVATIONS: Readonly<Record<string, string>> = {
  linear: 'return a;',
  relu: 'return select(a, 0.0, a < 0.0);',
  relu6: 'return clamp(a, 0.0, 6.0);',
  elu: 'if (a >= 0.0) { return a; } return exp(a) - 1.0;',
  sigmoid: 'return 1.0 / (1.0 + exp(-1.0 * a));',
};

const UNIFORMS = 'dimAOuter : i32, dimBOuter : i32, dimInner : i32, batchA : i32, batchB : i32, invocations : i32, biasStride : i32,';

function shaderSource(transposeA: boolean, transposeB: boolean, hasBias: boolean, activation: string): string {
  const lanes = Array.from({ length: BLOCK }, (_, i) => i);
  // Rows and columns past the edge read the last one (clamped) and are never written.
  // f32() because a tensor cast to float32 from int32 or bool keeps its integer buffer: tfjs declares each
  // storage buffer with the type its data has, not the tensor's dtype.
  const aAt = (r: number) => (transposeA ? `f32(A[aBase + k * M + r${r}])` : `f32(A[aRow${r} + k])`);
  const bAt = (c: number) => (transposeB ? `f32(B[bCol${c} + k])` : `f32(B[bBase + k * N + c${c}])`);
  const value = (r: number, c: number) => {
    const biased = hasBias ? `acc${r}[${c}] + f32(bias[(col + ${c}) * uniforms.biasStride])` : `acc${r}[${c}]`;
    return `activation(${biased})`;
  };
  return `
    fn activation(a : f32) -> f32 { ${ACTIVATIONS[activation]} }

    fn main(index : i32) {
      if (index >= uniforms.invocations) { return; }
      let M = uniforms.dimAOuter;
      let N = uniforms.dimBOuter;
      let K = uniforms.dimInner;
      let colBlocks = (N + ${BLOCK - 1}) / ${BLOCK};
      let perBatch = ((M + ${BLOCK - 1}) / ${BLOCK}) * colBlocks;
      let batch = index / perBatch;
      let inBatch = index - batch * perBatch;
      let row = (inBatch / colBlocks) * ${BLOCK};
      let col = (inBatch % colBlocks) * ${BLOCK};
      let aBase = (batch % uniforms.batchA) * M * K;
      let bBase = (batch % uniforms.batchB) * K * N;
      ${lanes.map((i) => `let r${i} = min(row + ${i}, M - 1);`).join('\n      ')}
      ${lanes.map((i) => `let c${i} = min(col + ${i}, N - 1);`).join('\n      ')}
      ${transposeA ? '' : lanes.map((i) => `let aRow${i} = aBase + r${i} * K;`).join('\n      ')}
      ${transposeB ? lanes.map((i) => `let bCol${i} = bBase + c${i} * K;`).join('\n      ') : ''}
      ${lanes.map((i) => `var acc${i} = vec4<f32>(0.0);`).join('\n      ')}
      for (var k = 0; k < K; k = k + 1) {
        let b = vec4<f32>(${lanes.map(bAt).join(', ')});
        ${lanes.map((r) => `acc${r} = acc${r} + ${aAt(r)} * b;`).join('\n        ')}
      }
      let outBase = batch * M * N;
      ${lanes
        .map(
          (r) => `if (row + ${r} < M) {
        ${lanes.map((c) => `if (col + ${c} < N) { result[outBase + (row + ${r}) * N + col + ${c}] = ${value(r, c)}; }`).join('\n        ')}
      }`,
        )
        .join('\n      ')}
    }`;
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

interface MatMulArgs {
  a: TensorInfo;
  b: TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
  bias?: TensorInfo | null;
  activation?: string | null;
  backend: WebgpuProgramRunner;
}

/**
 * Runs the matMul with the blocked program, or returns null when it does not apply: float32 inputs of rank
 * 2 or more whose batch dimensions match or one side has none, a bias of one value or one per output column,
 * and an activation from ACTIVATIONS. The caller runs tfjs's kernel otherwise.
 */
export function runBlockedMatMul({ a, b, transposeA, transposeB, bias, activation, backend }: MatMulArgs): TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null;
  const act = activation ?? 'linear';
  if (!(act in ACTIVATIONS)) return null;
  const [outerA, outerB] = [a.shape.slice(0, -2), b.shape.slice(0, -2)];
  const [batchA, batchB] = [sizeOf(outerA), sizeOf(outerB)];
  if (!sameShape(outerA, outerB) && batchA !== 1 && batchB !== 1) return null;
  const outer = backend_util.assertAndGetBroadcastShape(outerA, outerB);
  const M = a.shape[a.shape.length - (transposeA ? 1 : 2)]!;
  const K = a.shape[a.shape.length - (transposeA ? 2 : 1)]!;
  const N = b.shape[b.shape.length - (transposeB ? 2 : 1)]!;
  if (b.shape[b.shape.length - (transposeB ? 1 : 2)] !== K) return null;
  const outShape = [...outer, M, N];
  if (sizeOf(outShape) === 0 || K === 0) return null;
  let biasStride = 0;
  if (bias) {
    if (bias.dtype !== 'float32') return null;
    const biasSize = sizeOf(bias.shape);
    if (biasSize === N && bias.shape[bias.shape.length - 1] === N) biasStride = 1;
    else if (biasSize !== 1) return null;
  }
  const invocations = sizeOf(outer) * Math.ceil(M / BLOCK) * Math.ceil(N / BLOCK);
  const program: WebgpuProgram = {
    variableNames: bias ? ['A', 'B', 'bias'] : ['A', 'B'],
    outputShape: outShape,
    dispatchLayout: { x: outShape.map((_, i) => i) },
    ...flatDispatch(invocations, WORKGROUP),
    uniforms: UNIFORMS,
    shaderKey: `vaekitBlockedMatMul_${transposeA}_${transposeB}_${bias ? 'bias' : 'nobias'}_${act}`,
    getUserCode: () => shaderSource(transposeA, transposeB, bias != null, act),
  };
  const uniforms: ProgramUniform[] = [M, N, K, batchA, batchB, invocations, biasStride].map((v) => ({ type: 'int32', data: [v] }));
  return backend.runWebGPUProgram(program, bias ? [a, b, bias] : [a, b], 'float32', uniforms);
}

/** Wraps tfjs's BatchMatMul or _FusedMatMul kernel function: the blocked program where it applies, `fallback` elsewhere. */
export function blockedMatMulKernel(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b, bias } = args.inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
    const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean; activation?: string | null };
    // prelu and leakyrelu carry weights or a slope this program does not take.
    if ((args.inputs as { preluActivationWeights?: TensorInfo }).preluActivationWeights) return fallback(args);
    const out = runBlockedMatMul({
      a,
      b,
      transposeA: attrs.transposeA === true,
      transposeB: attrs.transposeB === true,
      bias: bias ?? null,
      activation: attrs.activation ?? null,
      backend: args.backend as unknown as WebgpuProgramRunner,
    });
    return out ?? fallback(args);
  };
}
