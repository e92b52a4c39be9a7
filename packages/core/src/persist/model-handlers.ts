import * as tf from '@tensorflow/tfjs-core';
import type { VaeModel } from '../model.js';
import { deserializeModel, serializeModel, type DeserializeModelOptions } from '../serialization/model-file.js';
import { artifactsFromModelFile, modelFileFromArtifacts } from './model-artifacts.js';

/**
 * Where a model is saved or loaded through TensorFlow.js's IO: a URL of a registered handler
 * (`indexeddb://name`, `localstorage://name`, `downloads://name` to save; `http(s)://…/model.json` to
 * load a model a site serves, or to save by POST) or an IO handler.
 */
export type ModelLocation = string | tf.io.IOHandler;

function handlerFor(location: ModelLocation, use: 'save' | 'load'): tf.io.IOHandler {
  if (typeof location !== 'string') return location;
  const handlers = use === 'save' ? tf.io.getSaveHandlers(location) : tf.io.getLoadHandlers(location);
  if (handlers.length === 1) return handlers[0]!;
  if (handlers.length > 1) throw new Error(`more than one TensorFlow.js IO handler can ${use} ${location}; pass an IO handler instead`);
  const schemes = use === 'save' ? 'indexeddb://, localstorage://, downloads:// or http(s)://' : 'indexeddb://, localstorage:// or http(s)://';
  throw new Error(`no TensorFlow.js IO handler can ${use} ${location}; in a browser use ${schemes}, or pass an IO handler`);
}

/**
 * Saves a whole model (config and weights) through a tfjs IO handler: the .vaekit file's bytes as the
 * weight data (see `artifactsFromModelFile`). For files, use `saveModel` from `@vaekit/core/node`.
 */
export async function saveModel(model: VaeModel, location: ModelLocation): Promise<tf.io.SaveResult> {
  const handler = handlerFor(location, 'save');
  if (!handler.save) throw new Error(`the IO handler for ${typeof location === 'string' ? location : 'this location'} cannot save`);
  return handler.save(artifactsFromModelFile(await serializeModel(model), model.className));
}

/**
 * Loads a model `saveModel` stored through a tfjs IO handler (import @vaekit/variants first so its class
 * is registered). The bytes are untrusted and checked as a file's are: see `deserializeModel`.
 */
export async function loadModel(location: ModelLocation, options: DeserializeModelOptions = {}): Promise<VaeModel> {
  const handler = handlerFor(location, 'load');
  const source = typeof location === 'string' ? location : 'the IO handler';
  if (!handler.load) throw new Error(`the IO handler for ${source} cannot load`);
  return deserializeModel(modelFileFromArtifacts(await handler.load(), source), source, options);
}
