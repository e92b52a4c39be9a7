// The parts of tfjs-backend-webgpu 4.22 that vaekit's own compute programs use. tfjs builds each program's
// shader around the code a program returns: storage buffers named by `variableNames` (binding 1 on, the
// output `result` at binding 0), a uniform struct with every buffer's shape plus the program's own
// `uniforms`, and a `main(index)` entry called once per invocation when the dispatch layout is flat.
import type { TensorInfo } from '@tensorflow/tfjs-core';

export interface WebgpuProgram {
  variableNames: string[];
  outputShape: number[];
  /** Output dimensions laid along x: all of them, so tfjs passes main() a flat invocation index. */
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  /** Extra fields of the uniform struct, e.g. `rows : i32, cols : i32,`, filled in this order. */
  uniforms: string;
  /** tfjs caches compiled pipelines under this key (plus the inputs' ranks and types). */
  shaderKey: string;
  getUserCode(): string;
}

export interface ProgramUniform {
  type: 'int32' | 'float32';
  data: number[];
}

/** tfjs-backend-webgpu's backend object, as far as running a program goes. */
export interface WebgpuProgramRunner {
  runWebGPUProgram(program: WebgpuProgram, inputs: TensorInfo[], outputDtype: string, uniforms: ProgramUniform[]): TensorInfo;
}

/** A flat dispatch for `invocations` invocations in workgroups of `workgroupSize` (tfjs splits it past the device's per-dimension limit). */
export function flatDispatch(invocations: number, workgroupSize: number): Pick<WebgpuProgram, 'dispatch' | 'workgroupSize'> {
  return { dispatch: [Math.max(1, Math.ceil(invocations / workgroupSize)), 1, 1], workgroupSize: [workgroupSize, 1, 1] };
}
