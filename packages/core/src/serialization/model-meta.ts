import type * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../model.js';
import { isValidClassName, type UntypedModelConfig } from '../registry.js';
import { isRecord } from './container-header.js';
import { CorruptFileError, quoteUntrusted } from './corrupt-file-error.js';

/**
 * The model-file format this code writes (the meta's `vaekitFormat`), and the only one it reads. A change
 * to what a model file holds that an older vaekit would misread raises it, so that version refuses the
 * file with a clear message instead of building a different model.
 */
export const MODEL_FORMAT = 1;

/** What a model file's header holds besides the container's own fields. */
export interface ModelMeta {
  readonly config: ModelConfig;
  readonly weights: tf.io.WeightsManifestEntry[];
  readonly vaekitFormat: typeof MODEL_FORMAT;
}

/**
 * Checks the shape of a model file's meta. The weight list is checked apart, against the bytes
 * (`checkWeightManifest`), and the config by the model's registration.
 */
export function checkModelMeta(meta: unknown, source: string): { config: UntypedModelConfig; weights: unknown } {
  if (!isRecord(meta)) throw new CorruptFileError(`${source} has a corrupt header: its meta is not an object`);
  checkModelFormat(meta.vaekitFormat, source);
  const config = meta.config;
  if (!isRecord(config) || typeof config.className !== 'string') {
    throw new CorruptFileError(`${source} has a corrupt header: its model config has no className`);
  }
  if (!isValidClassName(config.className) || config.className.length > 100) {
    throw new CorruptFileError(`${source} has a corrupt header: ${quoteUntrusted(config.className)} is not a model class name`);
  }
  return { config: config as UntypedModelConfig, weights: meta.weights };
}

/** Refuses a model file of a format this code does not write: newer (upgrade), or one no vaekit writes. */
function checkModelFormat(format: unknown, source: string): void {
  if (format === MODEL_FORMAT) return;
  if (typeof format === 'number' && Number.isSafeInteger(format) && format > MODEL_FORMAT) {
    throw new CorruptFileError(
      `${source} is a model file of format ${format}, written by a newer vaekit; this one reads format ` +
        `${MODEL_FORMAT}: upgrade vaekit to load it`,
    );
  }
  const found = format === undefined ? 'no model format' : `model format ${quoteUntrusted(format)}`;
  throw new CorruptFileError(`${source} has ${found}, which no vaekit writes (this one reads format ${MODEL_FORMAT})`);
}
