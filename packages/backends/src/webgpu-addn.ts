// tfjs-backend-webgpu 4.22's AddN kernel compiles one shader that binds every input as its own storage
// buffer, plus one for the output. A WebGPU device allows `maxStorageBuffersPerShaderStage` of them (8 unless
// asked for more, and tfjs does not ask), so `tf.addN` of 8 or more tensors gets a pipeline WebGPU rejects.
// The rejection is a validation error on the device, not an exception: the dispatch does nothing and the
// output is whatever its pooled buffer held before. Measured in headless Chromium: addN of 8 tensors after
// one of 5 returned the earlier sum of 5; of 12 after one of 2, the sum of 2. tfjs's own Concat kernel
// already splits its inputs at this limit; this replacement does the same for AddN, summing at most
// limit - 1 inputs per dispatch and carrying the partial sum into the next.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

interface WebgpuBackendish {
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
  disposeData(dataId: object): void;
}

let installed: KernelConfig | undefined;

function chunkedAddN(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const inputs = args.inputs as unknown as TensorInfo[];
    const backend = args.backend as unknown as WebgpuBackendish;
    // One storage buffer is the output's.
    const perDispatch = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
    if (inputs.length <= perDispatch) return original.kernelFunc(args);
    let partial: TensorInfo | undefined;
    let rest = inputs;
    while (rest.length > 0) {
      const take = partial ? perDispatch - 1 : perDispatch;
      const group: TensorInfo[] = partial ? [partial, ...rest.slice(0, take)] : rest.slice(0, take);
      rest = rest.slice(take);
      // AddN's inputs are a list, which tfjs-core's kernel typings spell as a named map.
      const sum = original.kernelFunc({ ...args, inputs: group as unknown as tf.NamedTensorInfoMap }) as TensorInfo;
      if (partial) backend.disposeData(partial.dataId);
      partial = sum;
    }
    return partial!;
  };
  return { ...original, kernelFunc };
}

/**
 * Replaces tfjs-backend-webgpu's AddN kernel with one that respects the device's storage-buffer limit. Call
 * after the package is imported. Idempotent; returns false when no webgpu AddN kernel is registered.
 */
export function installWebgpuAddNFix(): boolean {
  const current = tf.getKernel('AddN', 'webgpu');
  if (!current) return false;
  if (current === installed) return true;
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel(chunkedAddN(current));
  installed = tf.getKernel('AddN', 'webgpu');
  return true;
}

/** Whether the chunking AddN kernel is the one tfjs runs on webgpu. */
export function webgpuAddNFixActive(): boolean {
  return installed !== undefined && tf.getKernel('AddN', 'webgpu') === installed;
}
