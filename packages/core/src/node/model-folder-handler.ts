import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { readFileIfExists, writeFileAtomic } from './file-store.js';

/** The file names of a saved TensorFlow.js model, as tfjs-node's `file://` handler writes them. */
export const MODEL_JSON = 'model.json';
/** The weights file `model.json` lists, next to it. */
export const WEIGHTS_FILE = 'weights.bin';

/** A folder path from a `file://` URL or a plain path. */
export function folderOf(location: string): string {
  return location.startsWith('file://') ? fileURLToPath(location) : location;
}

/**
 * A tfjs IO handler on a folder: saving writes `model.json` and `weights.bin` (each atomically), the layout
 * tfjs-node's `file://` handler writes and reads; loading reads them back. Needs no tfjs backend package.
 */
export function modelFolderHandler(location: string): tf.io.IOHandler {
  const folder = folderOf(location);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const topology = artifacts.modelTopology;
      if (topology === undefined || topology instanceof ArrayBuffer) throw new Error(`${folder}: only JSON model topologies can be written`);
      const weights = new Uint8Array(artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0));
      const modelJson: tf.io.ModelJSON = {
        modelTopology: topology,
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.format === undefined ? {} : { format: artifacts.format }),
        ...(artifacts.generatedBy === undefined ? {} : { generatedBy: artifacts.generatedBy }),
        ...(artifacts.convertedBy === undefined ? {} : { convertedBy: artifacts.convertedBy }),
        ...(artifacts.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: artifacts.userDefinedMetadata }),
      };
      // The weights first: a reader that finds model.json finds the weights it lists.
      await writeFileAtomic(join(folder, WEIGHTS_FILE), weights);
      await writeFileAtomic(join(folder, MODEL_JSON), new TextEncoder().encode(JSON.stringify(modelJson)));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = await readFileIfExists(join(folder, MODEL_JSON));
      if (!json) throw new Error(`no ${MODEL_JSON} in ${folder}`);
      const modelJson = JSON.parse(new TextDecoder().decode(json)) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          for (const path of group.paths) {
            const bytes = await readFileIfExists(join(folder, path));
            if (!bytes) throw new Error(`${join(folder, MODEL_JSON)} lists ${path}, which is missing`);
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
          }
        }
        return [manifest.flatMap((group) => group.weights), tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}
