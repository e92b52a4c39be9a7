import * as tf from '@tensorflow/tfjs-core';

/** Serializes named tensors with tfjs's own weight encoding: specs for the header, bytes for the payload. */
export async function encodeNamedTensors(
  tensors: readonly { name: string; tensor: tf.Tensor }[],
): Promise<{ specs: tf.io.WeightsManifestEntry[]; bytes: Uint8Array }> {
  const { data, specs } = await tf.io.encodeWeights(tensors.map(({ name, tensor }) => ({ name, tensor })));
  return { specs, bytes: new Uint8Array(data) };
}

/** The inverse of `encodeNamedTensors`; the caller owns the returned tensors. */
export function decodeNamedTensors(
  specs: readonly tf.io.WeightsManifestEntry[],
  bytes: Uint8Array,
): tf.NamedTensorMap {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return tf.io.decodeWeights(buffer, [...specs]);
}
