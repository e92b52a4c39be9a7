import type { VaeModel } from '../model.js';
import { deserializeModel, serializeModel, type DeserializeModelOptions } from '../serialization/model-file.js';
import { readFileIfExists, writeFileAtomic } from './file-store.js';

/** Saves a whole model (config and weights) to one file, atomically. */
export async function saveModel(model: VaeModel, path: string): Promise<void> {
  await writeFileAtomic(path, await serializeModel(model));
}

/**
 * Loads a model saved by `saveModel` (import @vaekit/variants first so its class is registered). The
 * file is untrusted: see `deserializeModel` for what is checked before anything is built, and
 * `options.limits` for the budgets it is checked against.
 */
export async function loadModel(path: string, options: DeserializeModelOptions = {}): Promise<VaeModel> {
  const bytes = await readFileIfExists(path);
  if (!bytes) throw new Error(`no model file at ${path}`);
  return deserializeModel(bytes, path, options);
}
