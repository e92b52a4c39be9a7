import type { Dataset, VaeModel } from '@vaekit/core';
import { interpolationPicture, reconstructionsPicture, samplesPicture, savePicture, type PictureScale, type PictureShape } from '../pictures.js';
import { runPath } from '../run-folder.js';

/** Fixed seeds for the pictures, so the grids of different epochs show the same latent draws and digits. */
const PICTURE_SEED = 20240;

/** The run's three grids (samples, reconstructions, interpolation) from the model as it is; returns the paths written. */
export async function writeRunPictures(
  out: string,
  model: VaeModel,
  heldOut: Dataset,
  shape: PictureShape,
  seed: number,
  scale: PictureScale,
): Promise<string[]> {
  const paths: string[] = [];
  savePicture(runPath(out, 'samples'), await samplesPicture(model, 64, seed + PICTURE_SEED, shape, scale));
  paths.push(runPath(out, 'samples'));
  savePicture(runPath(out, 'reconstructions'), await reconstructionsPicture(model, heldOut, 32, PICTURE_SEED, shape, scale));
  paths.push(runPath(out, 'reconstructions'));
  const interpolation = await interpolationPicture(model, heldOut, 8, 10, PICTURE_SEED, shape, scale);
  if (interpolation) {
    savePicture(runPath(out, 'interpolation'), interpolation);
    paths.push(runPath(out, 'interpolation'));
  }
  return paths;
}
