import * as tf from '@tensorflow/tfjs-core';
import { CorruptFileError } from '../serialization/corrupt-file-error.js';

/** `ModelArtifacts.format` of a vaekit model stored through a tfjs IO handler. */
export const VAEKIT_ARTIFACTS_FORMAT = 'vaekit-model';

/**
 * A .vaekit file as tfjs model artifacts, so any tfjs IO handler stores it: the file's bytes, unchanged,
 * are the weight data (the `weights.bin` of a download or a served folder is a .vaekit file), and the
 * topology is a small JSON naming the format and the class. The weight list is empty: the bytes are not
 * tensors tfjs should decode; vaekit reads and checks them as a whole, as it reads a file.
 */
export function artifactsFromModelFile(bytes: Uint8Array, className: string): tf.io.ModelArtifacts {
  return {
    modelTopology: { format: VAEKIT_ARTIFACTS_FORMAT, className },
    format: VAEKIT_ARTIFACTS_FORMAT,
    generatedBy: 'vaekit',
    weightSpecs: [],
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  };
}

/** The .vaekit bytes inside artifacts that `artifactsFromModelFile` made; `source` names them in errors. */
export function modelFileFromArtifacts(artifacts: tf.io.ModelArtifacts, source: string): Uint8Array {
  if (artifacts.format !== VAEKIT_ARTIFACTS_FORMAT) {
    const found = artifacts.format === undefined ? 'no format' : `format ${JSON.stringify(artifacts.format)}`;
    throw new CorruptFileError(
      `${source}: not a vaekit model (its artifacts have ${found}, expected ${JSON.stringify(VAEKIT_ARTIFACTS_FORMAT)}); ` +
        'a plain TensorFlow.js model, such as the output of exportModel, loads with tf.loadLayersModel',
    );
  }
  if (!artifacts.weightData) throw new CorruptFileError(`${source}: the vaekit model's bytes are missing (no weight data)`);
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
}
