// Node entry point: everything the browser-safe entry offers, plus what needs the file system.
export * from '../index.js';
export { loadMnist, mnistDataset, mnistDataDir } from './mnist.js';
export type { MnistArrays, MnistDatasetOptions, MnistSplit } from './mnist.js';
export { loadDataFile, loadNpy, loadCsv, loadPngs } from './load-data-file.js';
export { openNpyDataset } from './npy-dataset.js';
export type { NpyDatasetOptions, StreamingDataset } from './npy-dataset.js';
export type { LoadDataFileOptions, NpyFileOptions } from './load-data-file.js';
export { loadPngFolder, decodePng, decodePngGray } from './png-folder.js';
export type { PngFolderOptions } from './png-folder.js';
export { pngFolderDataset } from './png-folder-dataset.js';
export type { PngFolderDatasetOptions } from './png-folder-dataset.js';
export type { DecodedPng, PngChannels } from './png-decode.js';
export type { PngLimits } from './png-limits.js';
export { encodePng, writePng } from './png.js';
export { tensorBoardLogger } from './tensorboard/tensorboard-logger.js';
export type { TensorBoardLogger, TensorBoardLoggerOptions } from './tensorboard/tensorboard-logger.js';
export { TensorBoardWriter } from './tensorboard/event-file-writer.js';
