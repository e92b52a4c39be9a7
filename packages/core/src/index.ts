import './register-gradients.js';

export type { AsyncDataset, Dataset, DataFingerprint } from './dataset.js';
export {
  DEFAULT_PREFETCH,
  prefetchBatches,
  type BatchPlan,
  type BatchReader,
  type BatchRequest,
  type PrefetchOptions,
} from './prefetch.js';
export { trainingEpochPlan } from './batch-plan.js';
export { iterateBatches, type Batch, type IterateBatchesOptions } from './iterate-batches.js';
export { prototypeDataset } from './synthetic-dataset.js';
export { SeededRandom } from './random.js';
export { sumPerExample, logMeanExp } from './reduce.js';
export { DiagonalGaussian, reparameterize } from './distributions/diagonal-gaussian.js';
export { standardNormalLogProb } from './distributions/standard-normal.js';
export { LOG_2PI } from './distributions/log-2pi.js';
export { gaussianLogProbFromNoise } from './distributions/noise-log-prob.js';
export { tileDraws } from './tile-draws.js';
export { checkWholeCount } from './whole-count.js';
export * from './likelihood/index.js';
export { applyFreeBits, klDiagonal, klMonteCarlo, klStandardNormal, klStandardNormalPerDim } from './kl.js';
export { elbo, iwaeBound, type ElboTerms } from './elbo.js';
export { createSchedule, klWarmup, type Schedule, type ScheduleConfig } from './schedules.js';
export {
  hasGradientCheckTargets,
  hasKlPerDimension,
  hasPosteriorMean,
  hasPriorCodes,
  hasMetrics,
  hasStepState,
  isGaussianLatentModel,
  type GaussianLatentModel,
  type GradientCheckTarget,
  type ModelWithGradientCheckTargets,
  type LossContext,
  type LossTerms,
  type ModelConfig,
  type ModelWithKlPerDimension,
  type ModelWithPosteriorMean,
  type ModelWithPriorCodes,
  type ModelWithMetrics,
  type ModelWithStepState,
  type NamedVariable,
  type VaeModel,
} from './model.js';
export {
  defineSchema,
  extendSchema,
  rejectUnknownFields,
  resolveConfig,
  schemaDefaults,
  withDefault,
  type ConfigField,
  type ConfigFieldName,
  type ConfigFields,
  type ConfigSchema,
  type FailField,
  type FinishConfig,
} from './config-schema.js';
export {
  anyWholeNumber,
  checkFinite,
  checkWhole,
  checkWholeList,
  finiteNumber,
  flag,
  oneOf,
  wholeNumber,
  wholeNumbers,
  type NumberRange,
} from './config-field-kinds.js';
export {
  createModel,
  getRegisteredModel,
  listModels,
  registerModel,
  UnknownModelError,
  type ModelConfigFields,
  type ModelConfigMap,
  type ModelFactory,
  type RegisteredModel,
  type UntypedModelConfig,
  type UntypedModelFields,
} from './registry.js';
export { CorruptFileError } from './serialization/container.js';
export { deserializeModel, serializeModel, type DeserializeModelOptions } from './serialization/model-file.js';
export type { LoadLimits } from './serialization/load-limits.js';
export * from './export/index.js';
export * from './persist/index.js';
export type { WeightDtype, WeightSpec } from './serialization/weight-manifest.js';
export {
  estimateEncoderGradient,
  measureEstimatorVariance,
  type EstimatorVariance,
  type GradientEstimator,
} from './gradient-estimators.js';
export { evaluate, type ActiveUnits, type EvaluateOptions, type EvaluationResult } from './evaluate.js';
export { train, type TrainOptions } from './train/trainer.js';
export type { CompileEvent } from './train/step-runner.js';
export { shardOf, type DistributedTraining, type Shard } from './train/distributed.js';
export type { TraceReport } from './compile/trace-step.js';
export type { CompileMode } from './compile/compiled-step.js';
export { compiledStepSupport } from './compile/native-functions.js';
export {
  CHECKPOINT_FORMAT,
  decodeCheckpoint,
  memoryCheckpointStore,
  type CheckpointStore,
  type DecodedCheckpoint,
  type EpochSums,
  type LoopState,
  type RunSettings,
  type TrainingEnvironment,
} from './train/checkpoint.js';
export { NonFiniteLossError, type EpochEvent, type ResumeEvent, type StepEvent, type TrainResult } from './train/events.js';
export type { OptimizerConfig } from './train/optimizer.js';
export { checkpointStanding, type CheckpointStanding } from './train/checkpoint.js';
export {
  resolveLearningRateSchedule,
  scheduledLearningRate,
  type LearningRateSchedule,
  type Monitor,
  type PlateauState,
  type ResolvedLearningRateSchedule,
  type StepPosition,
} from './lr-schedule/index.js';
export type { EarlyStoppingOptions, EarlyStoppingRule, EarlyStoppingState } from './train/early-stopping.js';
export type { ResumeChangeable, RunChange } from './train/run-changes.js';
export * from './sampler/index.js';
export * from './sample-quality/index.js';
