import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';

let patched = false;

/**
 * TensorFlow 2.21's Round kernel returns zeros for int32 input (2.9, which tfjs-node 4.22 was built for, did
 * not). Rounding an integer is the identity, so int32 goes to the backend's Identity kernel and everything
 * else to TensorFlow's Round as before.
 */
export function fixInt32Round(backendName: string): void {
  if (patched) return;
  const round = tf.getKernel('Round', backendName);
  const identity = tf.getKernel('Identity', backendName);
  if (!round || !identity) return;
  const kernelFunc: KernelFunc = (args) => {
    const x = args.inputs['x'];
    return x !== undefined && x.dtype === 'int32' ? identity.kernelFunc(args) : round.kernelFunc(args);
  };
  const fixed: KernelConfig = { ...round, kernelFunc };
  tf.unregisterKernel('Round', backendName);
  tf.registerKernel(fixed);
  patched = true;
}

/**
 * oneDNN's AVX-512 kernels in TensorFlow 2.21 compute Conv2DBackpropInput wrongly when the convolution has
 * one input and one output channel (measured on an AMD EPYC with AVX-512: a conv2dTranspose of a [2, 2, 1]
 * input gives 6, 0, 0, 0 for 6, 2, 10, 0, and so do conv1d/conv2d/conv3d input gradients), while its AVX2
 * kernels are right. Capping oneDNN at AVX2 is a no-op on CPUs without AVX-512. oneDNN reads the cap when it
 * first dispatches, so it is set before the addon loads; a user's own ONEDNN_MAX_CPU_ISA wins.
 */
export function capOneDnnIsa(): void {
  process.env['ONEDNN_MAX_CPU_ISA'] ??= 'AVX2';
}
