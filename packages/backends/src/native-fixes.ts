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
