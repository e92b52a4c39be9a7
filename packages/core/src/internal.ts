// @vaekit/core/internal: what the other vaekit packages, the apps and the tests share with core, and
// users of core do not need. It carries no compatibility promise and changes with any release.
export { brandError, hasErrorBrand } from './error-brand.js';
export { datasetFingerprint, FINGERPRINT_SAMPLE } from './dataset.js';
export { valuesDataset } from './synthetic-dataset.js';
export { decodeContainer, encodeContainer } from './serialization/container.js';
export { assignWeights } from './serialization/model-file.js';
export { decodeNamedTensors, encodeNamedTensors } from './serialization/tensors.js';
export { MODEL_FORMAT } from './serialization/model-meta.js';
export { encodeCheckpoint } from './train/checkpoint.js';
export { createOptimizer, DEFAULT_OPTIMIZER } from './train/optimizer.js';
export { epochBatches, mixSeed, shuffledIndices } from './train/order.js';
export { ProtobufWriter } from './compile/protobuf-writer.js';
