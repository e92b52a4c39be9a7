import * as tf from '@tensorflow/tfjs-core';
import { resolveLoadLimits, type LoadLimits } from './load-limits.js';
import { checkWeightManifest, type WeightSpec } from './weight-manifest.js';

/** Serializes named tensors with tfjs's own weight encoding: specs for the header, bytes for the payload. */
export async function encodeNamedTensors(
  tensors: readonly { name: string; tensor: tf.Tensor }[],
): Promise<{ specs: tf.io.WeightsManifestEntry[]; bytes: Uint8Array }> {
  const { data, specs } = await tf.io.encodeWeights(tensors.map(({ name, tensor }) => ({ name, tensor })));
  return { specs, bytes: new Uint8Array(data) };
}

/**
 * The inverse of `encodeNamedTensors`; the caller owns the returned tensors. The specs come from a file,
 * so they are checked against the bytes first (see `checkWeightManifest`), and a failure part way
 * through decoding leaves no tensor behind.
 */
export function decodeNamedTensors(
  specs: readonly tf.io.WeightsManifestEntry[] | readonly WeightSpec[],
  bytes: Uint8Array,
  source = 'weights',
  limits: LoadLimits = resolveLoadLimits(),
): tf.NamedTensorMap {
  const checked = checkWeightManifest(specs, bytes.byteLength, source, limits);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  // tidy keeps the returned map and disposes whatever a throw part way through had already decoded.
  return tf.tidy(() => tf.io.decodeWeights(buffer, checked.map((spec) => ({ ...spec, shape: [...spec.shape] }))));
}
