import type * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../model.js';
import { isValidClassName } from '../registry.js';
import { isRecord } from './container-header.js';
import { CorruptFileError, quoteUntrusted } from './corrupt-file-error.js';

/** What a model file's header holds besides the container's own fields. */
export interface ModelMeta {
  readonly config: ModelConfig;
  readonly weights: tf.io.WeightsManifestEntry[];
  readonly vaekitFormat: 1;
}

/**
 * Checks the shape of a model file's meta. The weight list is checked apart, against the bytes
 * (`checkWeightManifest`), and the config by the model's registration.
 */
export function checkModelMeta(meta: unknown, source: string): { config: ModelConfig; weights: unknown } {
  if (!isRecord(meta)) throw new CorruptFileError(`${source} has a corrupt header: its meta is not an object`);
  if (meta.vaekitFormat !== 1) {
    throw new CorruptFileError(`${source} has model format ${quoteUntrusted(meta.vaekitFormat)}, which this vaekit does not read`);
  }
  const config = meta.config;
  if (!isRecord(config) || typeof config.className !== 'string') {
    throw new CorruptFileError(`${source} has a corrupt header: its model config has no className`);
  }
  if (!isValidClassName(config.className) || config.className.length > 100) {
    throw new CorruptFileError(`${source} has a corrupt header: ${quoteUntrusted(config.className)} is not a model class name`);
  }
  return { config: config as ModelConfig, weights: meta.weights };
}
