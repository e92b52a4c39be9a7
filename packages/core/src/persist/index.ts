export { artifactsFromModelFile, modelFileFromArtifacts, VAEKIT_ARTIFACTS_FORMAT } from './model-artifacts.js';
export { loadModel, saveModel, type ModelLocation } from './model-handlers.js';
