import * as tf from '@tensorflow/tfjs-core';

/**
 * Bytes in GPU buffers that live tensors hold on the webgpu backend, once every queued command is
 * submitted. tf.memory().numTensors is exact on webgpu too, but a disposed tensor's buffer is released
 * only when the commands using it are submitted, so a GPU-side leak shows only after a submit.
 */
export function settledGpuBytes(): number {
  // ensureCommandEncoderReady and submitQueue are public methods of tfjs-backend-webgpu's backend that
  // tfjs-core's types do not name; submitQueue needs an open command encoder, which the first makes.
  const backend = tf.backend() as unknown as { ensureCommandEncoderReady(): void; submitQueue(): void };
  backend.ensureCommandEncoderReady();
  backend.submitQueue();
  return (tf.memory() as tf.MemoryInfo & { numBytesInGPU: number }).numBytesInGPU;
}
