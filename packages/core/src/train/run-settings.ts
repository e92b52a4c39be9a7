import { datasetFingerprint, type AsyncDataset } from '../dataset.js';
import { evaluate } from '../evaluate.js';
import type { VaeModel } from '../model.js';
import type { ScheduleConfig } from '../schedules.js';
import type { ResolvedLearningRateSchedule } from '../lr-schedule/schedule-config.js';
import type { RunSettings } from './checkpoint.js';
import type { Settings, TrainOptions } from './options.js';
import { mixSeed } from './order.js';

/** What a checkpoint records of the run, so a resume can be checked against it. */
export async function runSettings(
  data: AsyncDataset,
  options: TrainOptions,
  settings: Settings,
  klSchedule: ScheduleConfig,
  learningRateSchedule: ResolvedLearningRateSchedule,
): Promise<RunSettings> {
  const { validation, validationLimit } = options;
  return {
    seed: settings.seed,
    batchSize: settings.batchSize,
    datasetSize: data.size,
    klSchedule,
    freeBits: settings.freeBits,
    onNonFinite: settings.onNonFinite,
    maxSkippedSteps: settings.maxSkippedSteps,
    data: await datasetFingerprint(data),
    validation: validation
      ? {
          data: await datasetFingerprint(validation),
          // A cap at or above the data's size validates all of it, like no cap: recorded as null alike.
          limit: validationLimit === undefined || validationLimit >= validation.size ? null : validationLimit,
        }
      : null,
    learningRateSchedule,
    clipGradientNorm: settings.clipGradientNorm,
    earlyStopping: settings.earlyStopping,
  };
}

/** The validation figures reported at an epoch's end, as losses named like the training terms. */
export async function validationTerms(
  model: VaeModel,
  data: AsyncDataset,
  settings: { seed: number; batchSize: number; prefetch: number },
  limit: number | undefined,
): Promise<Record<string, number>> {
  const result = await evaluate(model, data, {
    batchSize: Math.max(settings.batchSize, 256),
    seed: mixSeed(settings.seed, 0xe7a1),
    prefetch: settings.prefetch,
    ...(limit !== undefined ? { limit } : {}),
  });
  return { total: -result.elbo, reconstruction: result.reconstruction, kl: result.kl };
}
