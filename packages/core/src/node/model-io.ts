import type { VaeModel } from '../model.js';
import { loadModel as loadThrough, saveModel as saveThrough, type ModelLocation } from '../persist/model-handlers.js';
import { deserializeModel, serializeModel, type DeserializeModelOptions } from '../serialization/model-file.js';
import { readFileIfExists, writeFileAtomic } from './file-store.js';
import { folderOf } from './model-folder-handler.js';

/** A file path or `file://` URL, as opposed to another scheme's URL or an IO handler. */
function filePathOf(location: ModelLocation): string | undefined {
  if (typeof location !== 'string') return undefined;
  if (location.startsWith('file://')) return folderOf(location);
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location) ? undefined : location;
}

/**
 * Saves a whole model (config and weights) to one file, atomically; a URL of another scheme or an IO
 * handler goes through tfjs's IO as `saveModel` from `@vaekit/core` does.
 */
export async function saveModel(model: VaeModel, location: ModelLocation): Promise<void> {
  const path = filePathOf(location);
  if (path === undefined) await saveThrough(model, location);
  else await writeFileAtomic(path, await serializeModel(model));
}

/**
 * Loads a model saved by `saveModel` (import @vaekit/variants first so its class is registered), from a
 * file path, a `file://` URL, another scheme's URL (`http(s)://…`) or an IO handler. The bytes are
 * untrusted: see `deserializeModel` for what is checked before anything is built, and `options.limits`
 * for the budgets it is checked against.
 */
export async function loadModel(location: ModelLocation, options: DeserializeModelOptions = {}): Promise<VaeModel> {
  const path = filePathOf(location);
  if (path === undefined) return loadThrough(location, options);
  const bytes = await readFileIfExists(path);
  if (!bytes) throw new Error(`no model file at ${path}`);
  return deserializeModel(bytes, path, options);
}
