export { fileCheckpointStore, isTemporaryFileOf, readFileIfExists, removeTemporaryFiles, writeFileAtomic } from './file-store.js';
export { loadModel, saveModel } from './model-io.js';
