export { scheduledLearningRate, type StepPosition } from './learning-rate.js';
export { checkMonitor, DEFAULT_MONITOR, monitoredValue, type Monitor } from './monitor.js';
export { plateauAfterEpoch, startPlateau, type PlateauRule, type PlateauState } from './plateau.js';
export {
  CONSTANT_LEARNING_RATE,
  resolveLearningRateSchedule,
  type LearningRateSchedule,
  type ResolveContext,
  type ResolvedLearningRateSchedule,
} from './schedule-config.js';
