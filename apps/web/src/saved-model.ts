// The page's one saved model, kept in this browser's IndexedDB through vaekit's saveModel/loadModel (the
// .vaekit bytes stored as a TensorFlow.js model entry), so it survives a page refresh.
import * as tf from '@tensorflow/tfjs-core';
import { loadModel, saveModel, type VaeModel } from '@vaekit/core';

export const SAVED_MODEL_URL = 'indexeddb://vaekit-web-model';

/** When the saved model was saved, or null when this browser holds none. */
export async function savedModelDate(): Promise<Date | null> {
  const models = await tf.io.listModels();
  const info = models[SAVED_MODEL_URL];
  return info ? new Date(info.dateSaved) : null;
}

export async function saveToBrowser(model: VaeModel): Promise<Date> {
  const result = await saveModel(model, SAVED_MODEL_URL);
  return new Date(result.modelArtifactsInfo.dateSaved);
}

export function loadFromBrowser(): Promise<VaeModel> {
  return loadModel(SAVED_MODEL_URL);
}
