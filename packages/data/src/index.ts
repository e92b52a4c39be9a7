// Browser-safe entry point: nothing here touches Node built-ins. File loaders live in @vaekit/data/node.
export { DataError } from './data-error.js';
export type { Binarization, Likelihood, LoadedData } from './types.js';
export { batchesOf } from './batching.js';
export type { BatchesOfOptions } from './batching.js';
export { parseIdx } from './idx.js';
export type { IdxArray, IdxDtype } from './idx.js';
export { createImageDataset } from './image-dataset.js';
export type { ImageDatasetOptions } from './image-dataset.js';
export { parseNpy } from './npy.js';
export { parseCsv } from './csv.js';
export type { CsvOptions } from './csv.js';
export { validateData, validateForLikelihood, assertFinite } from './validate.js';
export type { LikelihoodCheckOptions, ValidateDataOptions } from './validate.js';
export { tileImages } from './tile-images.js';
export type { GrayImage, Picture, PictureChannels, TileOptions } from './tile-images.js';
export { splitIndices, selectRows, splitDatasets } from './split.js';
export type { Split, SplitSpec, SplitDatasetsOptions } from './split.js';
