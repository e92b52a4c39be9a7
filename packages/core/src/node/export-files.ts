import { join } from 'node:path';
import { exportModel as exportThrough, type ExportOptions, type ExportResult, type ExportTarget } from '../export/index.js';
import type { VaeModel } from '../model.js';
import { folderOf, modelFolderHandler } from './model-folder-handler.js';

/**
 * `exportModel` that also writes to the file system: a plain folder path or a `file://` URL becomes
 * `FOLDER/encoder/` and `FOLDER/decoder/` (and `FOLDER/codebook/`), each with `model.json` and
 * `weights.bin`, which tfjs-node's `tf.loadLayersModel('file://FOLDER/decoder/model.json')` reads. Any
 * other target goes to the browser-safe `exportModel` unchanged.
 */
export async function exportModel(model: VaeModel, target: ExportTarget, options: ExportOptions = {}): Promise<ExportResult> {
  const isFolder = typeof target === 'string' && (target.startsWith('file://') || !/^[a-z][a-z0-9+.-]*:\/\//i.test(target));
  if (!isFolder) return exportThrough(model, target, options);
  const folder = folderOf(target);
  return exportThrough(model, (part) => modelFolderHandler(join(folder, part)), options);
}
