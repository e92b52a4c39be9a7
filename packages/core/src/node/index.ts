export { fileCheckpointStore, isTemporaryFileOf, readFileIfExists, removeTemporaryFiles, writeFileAtomic } from './file-store.js';
export { loadModel, saveModel } from './model-io.js';
export { exportModel } from './export-files.js';
export { MODEL_JSON, modelFolderHandler, WEIGHTS_FILE } from './model-folder-handler.js';
