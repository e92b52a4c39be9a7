import * as tf from '@tensorflow/tfjs-core';
import type { HostValues, OpAttr } from './graph-def.js';

/** What tfjs-node's binding returns for each output of `executeOp`. */
export interface TensorMetadata {
  readonly id: number;
  readonly shape: number[];
  readonly dtype: number;
}

/**
 * The part of tfjs-node's N-API binding the compiled step uses. `registerGraphAsFunction`, `hasFunction`
 * and `removeFunction` exist only in an addon built with vaekit's binding patch (`vaekit-native-setup`).
 */
export interface NativeBinding {
  executeOp(name: string, attrs: OpAttr[], inputIds: number[], outputs: number): TensorMetadata[];
  createTensor(shape: number[], dtype: number, values: HostValues): number;
  tensorDataSync(id: number): HostValues;
  deleteTensor(id: number): void;
  registerGraphAsFunction?(graphDef: Uint8Array, name: string, inputNodeNames: string[], outputRefs: string[]): void;
  hasFunction?(name: string): boolean;
  removeFunction?(name: string): void;
  readonly vaekitExtensions?: number;
  readonly TF_FLOAT: number;
  readonly TF_INT32: number;
  readonly TF_BOOL: number;
}

interface TensorEntry {
  id: number;
  values: HostValues | null;
  dtype: number;
  shape: number[];
}

/** The slice of tfjs-node's `NodeJSKernelBackend` the tracer relies on (tfjs-node 4.22). */
export interface NativeKernelBackend extends tf.KernelBackend {
  binding: NativeBinding;
  readonly tensorMap: { get(dataId: object): TensorEntry | undefined };
  getInputTensorIds(tensors: tf.Tensor[]): number[];
  executeMultipleOutputs(name: string, attrs: OpAttr[], inputs: tf.Tensor[], outputs: number): tf.Tensor[];
}

export type FunctionSupport =
  | { readonly available: true; readonly backend: NativeKernelBackend; readonly binding: Required<NativeBinding> }
  | { readonly available: false; readonly reason: string };

/**
 * Whether the active tfjs backend can run a whole step as one TensorFlow function, and why not. Core
 * never imports a backend: it recognizes tfjs-node's backend by the shape of its binding.
 */
export function functionSupport(): FunctionSupport {
  const name = tf.getBackend();
  if (name !== 'tensorflow') {
    return { available: false, reason: `the active backend is ${name}; compiled steps need native (tfjs-node)` };
  }
  const backend = tf.backend() as Partial<NativeKernelBackend>;
  const binding = backend.binding;
  if (!binding || typeof binding.executeOp !== 'function' || !backend.tensorMap || typeof backend.getInputTensorIds !== 'function') {
    return { available: false, reason: 'this tfjs-node build does not expose the binding vaekit traces (tfjs-node 4.22 expected)' };
  }
  if (
    typeof binding.registerGraphAsFunction !== 'function' ||
    typeof binding.hasFunction !== 'function' ||
    typeof binding.removeFunction !== 'function'
  ) {
    return {
      available: false,
      reason: 'this tfjs-node addon was built without vaekit\'s function patch; run `npx vaekit-native-setup` to rebuild it',
    };
  }
  return { available: true, backend: backend as NativeKernelBackend, binding: binding as Required<NativeBinding> };
}

/** The binding id of a tensor's data, uploading JavaScript-held values first. */
export function bindingId(backend: NativeKernelBackend, tensor: tf.Tensor): number {
  return backend.getInputTensorIds([tensor])[0]!;
}

/** Whether training steps can be compiled on the active backend, and why not (for messages and checks). */
export function compiledStepSupport(): { readonly available: boolean; readonly reason?: string } {
  const support = functionSupport();
  return support.available ? { available: true } : { available: false, reason: support.reason };
}
