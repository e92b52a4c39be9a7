// tf.sum on a software WebGPU adapter. tfjs-backend-webgpu 4.22 reduces with one workgroup per output value
// (64 to 512 invocations summing through workgroup memory, a barrier per halving step), after transposing
// the reduced axes to the end. SwiftShader runs those invocations as CPU fibers and each barrier switches
// between all of them: in the web app's training step (tf.profile, headless Chromium on SwiftShader) Sum
// took about 0.7 s of a 5 s step, up to 240 ms for one 100x784 sum. Here one invocation sums one output
// value in a loop, reading the reduced axes in place (no transpose, no barrier). Software adapters only:
// on a GPU a single invocation per output would leave most of it idle for a large sum.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

import { flatDispatch, type WebgpuProgram, type WebgpuProgramRunner } from './webgpu-program.js';

const WORKGROUP = 64;

let installed: KernelConfig | undefined;

// f32() because a tensor cast to float32 from int32 or bool keeps its integer buffer, and tfjs declares the
// storage buffer with the type of its data.
const SHADER = `
  fn main(index : i32) {
    if (index >= uniforms.outputs) { return; }
    let outerIndex = index / uniforms.inner;
    let innerIndex = index - outerIndex * uniforms.inner;
    var offset = outerIndex * uniforms.reduced * uniforms.inner + innerIndex;
    var total = 0.0;
    for (var r = 0; r < uniforms.reduced; r = r + 1) {
      total = total + f32(x[offset]);
      offset = offset + uniforms.inner;
    }
    result[index] = total;
  }`;

/** The sum as [outer, reduced, inner] when the summed axes are next to each other; null otherwise. */
function splitAround(shape: readonly number[], axes: readonly number[]): { outer: number; reduced: number; inner: number } | null {
  const sorted = [...axes].sort((p, q) => p - q);
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  if (last - first + 1 !== sorted.length) return null;
  const product = (from: number, to: number) => shape.slice(from, to).reduce((p, d) => p * d, 1);
  return { outer: product(0, first), reduced: product(first, last + 1), inner: product(last + 1, shape.length) };
}

function directSum(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    if (x.dtype !== 'float32' || x.shape.length === 0) return original.kernelFunc(args);
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const split = axes.length > 0 ? splitAround(x.shape, axes) : null;
    if (!split || split.reduced === 0 || split.outer * split.inner === 0) return original.kernelFunc(args);
    const outShape = keepDims
      ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
      : x.shape.filter((_, i) => !axes.includes(i));
    const outputs = split.outer * split.inner;
    const program: WebgpuProgram = {
      variableNames: ['x'],
      outputShape: outShape,
      dispatchLayout: { x: outShape.map((_, i) => i) },
      ...flatDispatch(outputs, WORKGROUP),
      uniforms: 'outputs : i32, reduced : i32, inner : i32,',
      shaderKey: 'vaekitDirectSum',
      getUserCode: () => SHADER,
    };
    const backend = args.backend as unknown as WebgpuProgramRunner;
    return backend.runWebGPUProgram(program, [x], 'float32', [
      { type: 'int32', data: [outputs] },
      { type: 'int32', data: [split.reduced] },
      { type: 'int32', data: [split.inner] },
    ]);
  };
  return { ...original, kernelFunc };
}

/**
 * Replaces tfjs-backend-webgpu's Sum kernel with the direct one for float32 sums over adjacent axes (tfjs's
 * kernel does the rest). Call after the package is imported, for a software adapter. Idempotent; false when
 * no webgpu Sum kernel is registered.
 */
export function installWebgpuDirectSum(): boolean {
  const current = tf.getKernel('Sum', 'webgpu');
  if (!current) return false;
  if (current === installed) return true;
  tf.unregisterKernel('Sum', 'webgpu');
  tf.registerKernel(directSum(current));
  installed = tf.getKernel('Sum', 'webgpu');
  return true;
}
