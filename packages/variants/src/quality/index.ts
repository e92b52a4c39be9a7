export {
  asDigitBatch,
  DIGIT_CLASSES,
  DIGIT_CLASSIFIER_DEFAULTS,
  DIGIT_PIXELS,
  DIGIT_SIDE,
  DigitClassifier,
  digitClassifierWeights,
  type DigitClassifierConfig,
} from './digit-classifier.js';
export {
  checkLabelledDigits,
  digitAccuracy,
  digitFeatures,
  trainDigitClassifier,
  type DigitTrainingStep,
  type LabelledDigits,
  type TrainDigitClassifierOptions,
} from './digit-classifier-train.js';
export { CLASSIFIER_FORMAT, deserializeDigitClassifier, serializeDigitClassifier } from './digit-classifier-file.js';
