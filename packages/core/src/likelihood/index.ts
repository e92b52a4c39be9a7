export type {
  Likelihood,
  LikelihoodConfig,
  LikelihoodDefinition,
  LikelihoodDescription,
  LikelihoodFields,
  LikelihoodSupport,
} from './types.js';
export {
  checkLikelihoodData,
  createLikelihood,
  describeLikelihood,
  getLikelihoodDefinition,
  listLikelihoods,
  registerLikelihood,
  resolveLikelihoodConfig,
  UnknownLikelihoodError,
  type RegisterLikelihoodOptions,
} from './registry.js';
export { checkSupport, drawFromSupport, firstOutsideSupport, inSupport, SUPPORT_DESCRIPTIONS, supportRange } from './support.js';
export { splitParams } from './params.js';
export { bernoulliLogProb } from './bernoulli.js';
export { gaussianLogProb } from './gaussian.js';
export {
  createLocationScale,
  describeLocationScale,
  scaleSettings,
  type LocationScaleFamily,
} from './location-scale.js';
export { positiveScaleField, scaleModeField, SCALE_MODES, type LocationScale, type ScaleMode, type ScaleSettings } from './scale-mode.js';
