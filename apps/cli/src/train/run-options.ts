import { klWarmup, type TrainOptions } from '@vaekit/core';
import type { TrainingData } from '../data-source.js';
import { controlOptions } from './controls.js';
import type { RunArgs } from './run-args.js';

/**
 * The train options that decide what a run computes, from its settings alone: the chief and every other
 * worker of a distributed run build them here, so all of them train the same run.
 */
export function runOptions(
  args: RunArgs,
  data: TrainingData,
  compile: 'auto' | 'xla' | false,
  resuming: boolean,
): Pick<TrainOptions, 'epochs' | 'batchSize' | 'optimizer' | 'seed' | 'klSchedule' | 'freeBits' | 'validation' | 'validationLimit' | 'compile' | 'learningRateSchedule' | 'clipGradientNorm' | 'earlyStopping' | 'allowResumeChanges' | 'checkpointEverySteps' | 'resume'> {
  return {
    epochs: args.epochs,
    batchSize: args.batchSize,
    optimizer: { type: 'adam', learningRate: args.lr },
    seed: args.seed,
    ...(args.klWarmup > 0 ? { klSchedule: klWarmup(args.klWarmup) } : {}),
    freeBits: args.freeBits,
    validation: data.heldOut,
    validationLimit: data.heldOut.size,
    checkpointEverySteps: args.checkpointEvery,
    resume: resuming,
    compile,
    ...controlOptions(args),
    // A resume may change only these, and only from flags given again (saved settings win otherwise).
    ...(resuming ? { allowResumeChanges: ['learningRate', 'learningRateSchedule'] as const } : {}),
  };
}
