export { fileCheckpointStore, readFileIfExists, writeFileAtomic } from './file-store.js';
export { loadModel, saveModel } from './model-io.js';
