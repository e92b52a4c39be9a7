export type { FeatureMatrix } from './feature-matrix.js';
export { featureMoments, type Moments } from './moments.js';
export { frechetDistance, frechetDistanceOfMoments } from './frechet-distance.js';
export { precisionRecall, type PrecisionRecall, type PrecisionRecallOptions } from './precision-recall.js';
export { symmetricEigen, symmetricSqrt, type SymmetricEigen } from './symmetric-eigen.js';
