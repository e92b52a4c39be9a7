import * as tf from '@tensorflow/tfjs-core';
import type { VaeModel } from '../model.js';
import { createSchedule, type ScheduleConfig } from '../schedules.js';
import { trainingEpochPlan } from '../batch-plan.js';
import type { AsyncDataset } from '../dataset.js';
import { prefetchBatches } from '../prefetch.js';
import { CHECKPOINT_FORMAT, decodeCheckpoint, encodeCheckpoint, restoreWeights, type DecodedCheckpoint, type LoopState, type TrainingEnvironment } from './checkpoint.js';
import { scheduledLearningRate } from '../lr-schedule/learning-rate.js';
import { monitoredValue } from '../lr-schedule/monitor.js';
import { plateauAfterEpoch, startPlateau } from '../lr-schedule/plateau.js';
import { resolveLearningRateSchedule, type ResolvedLearningRateSchedule } from '../lr-schedule/schedule-config.js';
import { serializeModel } from '../serialization/model-file.js';
import { EARLY_STOPPING_START, earlyStoppingAfterEpoch } from './early-stopping.js';
import type { RunChange } from './run-changes.js';
import { NonFiniteLossError, type EpochEvent, type ResumeEvent, type TrainResult } from './events.js';
import { createOptimizer } from './optimizer.js';
import { validateOptions, type TrainOptions } from './options.js';
import { mixSeed } from './order.js';
import { addToSums, meansOf, NO_SUMS, progressOf, type Progress } from './progress.js';
import { checkResume, type ResumeCheck } from './resume-check.js';
import { distributedRunnerFor, runnerFor } from './runner-choice.js';
import { runSettings, validationTerms } from './run-settings.js';
import type { StepRunner } from './step-runner.js';
import type { DistributedStepRunner } from './distributed-step.js';
import { startFromChief } from './distributed-start.js';
import { shardOf } from './distributed.js';
import type { StepOutcome } from './step-terms.js';

export type { TrainOptions } from './options.js';

/**
 * Trains a model by stochastic gradient descent on the negative ELBO (or whatever `model.loss` returns
 * as `total`). Every update is checked before it is applied: a NaN or infinite loss or gradient never
 * reaches the weights. Batches, binarization and noise derive from (seed, epoch, step), and a checkpoint
 * holds everything else the loop carries (optimizer state, the epoch's running sums, the skip count),
 * so a resumed run repeats the uninterrupted one exactly: the same weights and the same history.
 *
 * `data` may produce its batches asynchronously (a file read by byte range): the next `prefetch`
 * batches are read while a step runs. Which batches are read, and with which seeds, depends on the
 * plan alone, so sync, async, prefetched or not, a run is the same, and a resume repeats it exactly.
 *
 * The learning rate follows `learningRateSchedule`; a reduce-on-plateau schedule's state and early
 * stopping's (with the best epoch's weights) are in every checkpoint too, so they resume exactly.
 */
export async function train(model: VaeModel, data: AsyncDataset, options: TrainOptions): Promise<TrainResult> {
  const settings = validateOptions(model, data, options);
  const klSchedule: ScheduleConfig = options.klSchedule ?? { type: 'constant', value: 1 };
  const klWeightAt = createSchedule(klSchedule);
  const trainable = model.variables().filter((v) => v.trainable).map((v) => v.variable);
  const batchesPerEpoch = Math.ceil(data.size / settings.batchSize);
  const totalSteps = batchesPerEpoch * options.epochs;
  const environment: TrainingEnvironment = { backend: tf.getBackend(), compile: options.compile ?? 'auto' };

  // A resume reads its checkpoint first: a cosine schedule without decaySteps keeps the length it had.
  let loaded: { checkpoint: DecodedCheckpoint; location: string } | null = null;
  if (options.resume && options.checkpoint) {
    const bytes = await options.checkpoint.load();
    const { location } = options.checkpoint;
    if (bytes) loaded = { checkpoint: await decodeCheckpoint(bytes, location), location };
  }
  const learningRateSchedule = resolveLearningRateSchedule(options.learningRateSchedule ?? { type: 'constant' }, {
    totalSteps,
    hasValidation: options.validation !== undefined,
    saved: loaded?.checkpoint.state.run.learningRateSchedule,
  });
  // Fingerprinting reads part of the data: only a run that writes or reads checkpoints needs it.
  const run = options.checkpoint ? await runSettings(data, options, settings, klSchedule, learningRateSchedule) : null;
  // Checked before anything is built, so a refused resume leaves nothing to clean up.
  const check: ResumeCheck | null =
    loaded && run
      ? checkResume(loaded.checkpoint.state, run, settings.optimizer, environment, loaded.location, settings.allowResumeChanges)
      : null;

  let progress: Progress = {
    epoch: 0,
    nextBatch: 0,
    step: 0,
    skippedSteps: 0,
    consecutiveSkips: 0,
    epochSums: NO_SUMS,
    history: [],
    plateau: learningRateSchedule.type === 'plateau' ? startPlateau(settings.baseLearningRate) : null,
    earlyStopping: settings.earlyStopping ? EARLY_STOPPING_START : null,
    changes: [],
  };
  let resumedFromStep: number | null = null;
  let bestModel: Uint8Array | null = null;

  const optimizer = createOptimizer(settings.optimizer);
  const { distributed } = options;
  let runner: StepRunner | null = null;
  let parallel: DistributedStepRunner | null = null;
  // Data-parallel workers stop together: a worker asked to stop says so in the next step's all-reduce, and
  // every worker stops after that step.
  let stopAgreed = false;
  try {
    if (loaded && check) {
      const { checkpoint, location } = loaded;
      const { notes, changes } = check;
      await checkpoint.restoreModel(model);
      await checkpoint.restoreOptimizer(optimizer);
      progress = withChanges(progressOf(checkpoint.state), changes, learningRateSchedule, settings.baseLearningRate);
      bestModel = checkpoint.bestModel;
      resumedFromStep = progress.step;
      const { step, epoch, nextBatch } = progress;
      const event: ResumeEvent = { step, epoch: epoch + 1, nextBatch, format: checkpoint.format, notes, changes };
      if (options.onResume) options.onResume(event);
      else if (notes.length) console.warn(`vaekit: resuming from ${location}: ${notes.join('; ')}`);
    }
    if (progress.earlyStopping?.stopped) return await finish('stopped-early');

    const started = performance.now();
    const stepsAtStart = progress.step;
    if (distributed) {
      startFromChief(model, distributed, progress.step);
      parallel = distributedRunnerFor(model, optimizer, trainable, distributed, options);
    } else {
      runner = runnerFor(model, optimizer, trainable, options);
    }
    const save = async (): Promise<void> => {
      if (!options.checkpoint || !run || (distributed && !distributed.isChief)) return;
      const state: LoopState = { format: CHECKPOINT_FORMAT, ...progress, run, optimizer: settings.optimizer, environment };
      await options.checkpoint.save(await encodeCheckpoint(model, optimizer, state, bestModel));
    };

    for (let epoch = progress.epoch; epoch < options.epochs; epoch++) {
      const plan = trainingEpochPlan(data.size, settings.batchSize, settings.seed, epoch);
      const first = epoch === progress.epoch ? progress.nextBatch : 0;
      const reader = prefetchBatches(data, plan, { depth: settings.prefetch, start: first });
      try {
        for (let b = first; b < plan.length; b++) {
          if (distributed ? stopAgreed : options.signal?.aborted) {
            await save();
            return await finish('aborted');
          }
          const examples = Math.min(settings.batchSize, data.size - b * settings.batchSize);
          const klWeight = klWeightAt(progress.step);
          const position = { step: progress.step, epoch };
          const learningRate = scheduledLearningRate(learningRateSchedule, settings.baseLearningRate, position, progress.plateau);
          const x = (await reader.next())!;
          const stepSettings = {
            noiseSeed: mixSeed(settings.seed, progress.step, 0x7a11),
            step: progress.step,
            klWeight,
            freeBits: settings.freeBits,
            learningRate,
            clipGradientNorm: settings.clipGradientNorm,
          };
          let outcome: StepOutcome;
          try {
            if (parallel && distributed) {
              // Every worker reads the whole global batch (its binarization is seeded per batch) and keeps its rows.
              const shard = shardOf(examples, distributed.rank, distributed.worldSize);
              const rows = tf.slice(x, shard.start, shard.end - shard.start);
              try {
                const result = await parallel.run(rows, stepSettings, { shard, globalSize: examples, stop: () => options.signal?.aborted ?? false });
                if (result.stop) stopAgreed = true;
                outcome = result;
              } finally {
                rows.dispose();
              }
            } else {
              outcome = await runner!.run(x, stepSettings);
            }
          } finally {
            x.dispose();
          }
          if (!outcome.finite) {
            const consecutiveSkips = progress.consecutiveSkips + 1;
            if (settings.onNonFinite === 'throw' || consecutiveSkips > settings.maxSkippedSteps) {
              throw new NonFiniteLossError(progress.step + 1, outcome.terms, outcome.gradientNorm);
            }
            progress = {
              ...progress,
              epoch,
              nextBatch: b + 1,
              step: progress.step + 1,
              skippedSteps: progress.skippedSteps + 1,
              consecutiveSkips,
            };
            continue;
          }
          progress = {
            ...progress,
            epoch,
            nextBatch: b + 1,
            step: progress.step + 1,
            consecutiveSkips: 0,
            epochSums: addToSums(progress.epochSums, outcome.terms, examples),
          };
          const elapsedMs = performance.now() - started;
          const stepsDone = progress.step - stepsAtStart;
          options.onStep?.({
            epoch: epoch + 1,
            epochs: options.epochs,
            batch: b + 1,
            batches: plan.length,
            step: progress.step,
            totalSteps,
            terms: outcome.terms,
            klWeight,
            learningRate,
            gradientNorm: outcome.gradientNorm,
            examplesPerSecond: (stepsDone * settings.batchSize * 1000) / Math.max(elapsedMs, 1),
            elapsedMs,
            etaMs: (elapsedMs / stepsDone) * (totalSteps - progress.step),
          });
          if (settings.checkpointEverySteps > 0 && progress.step % settings.checkpointEverySteps === 0) await save();
        }
      } finally {
        // Batches read ahead of a stop (abort, a thrown step, a failed read) are disposed unused.
        await reader.close();
      }

      // The epoch's end: validation, the schedules that watch it, then the checkpoint (its history holds
      // this epoch), then onEpochEnd.
      const validation = options.validation
        ? await validationTerms(model, options.validation, settings, options.validationLimit)
        : undefined;
      const event: EpochEvent = {
        epoch: epoch + 1,
        epochs: options.epochs,
        step: progress.step,
        train: meansOf(progress.epochSums),
        ...(validation ? { validation } : {}),
        elapsedMs: performance.now() - started,
        skippedSteps: progress.skippedSteps,
      };
      let { plateau, earlyStopping } = progress;
      if (learningRateSchedule.type === 'plateau' && plateau) {
        plateau = plateauAfterEpoch(plateau, learningRateSchedule, monitoredValue(event, learningRateSchedule.monitor, 'learningRateSchedule.monitor'));
      }
      if (settings.earlyStopping && earlyStopping) {
        const rule = settings.earlyStopping;
        const next = earlyStoppingAfterEpoch(earlyStopping, rule, event.epoch, monitoredValue(event, rule.monitor, 'earlyStopping.monitor'));
        earlyStopping = next.state;
        if (next.improved) {
          bestModel = await serializeModel(model);
          await options.onBest?.(event, model);
        }
      }
      progress = {
        ...progress,
        epoch: epoch + 1,
        nextBatch: 0,
        epochSums: NO_SUMS,
        history: [...progress.history, event],
        plateau,
        earlyStopping,
      };
      await save();
      await options.onEpochEnd?.(event, model, progress.history);
      if (earlyStopping?.stopped) return await finish('stopped-early');
    }
    return await finish('completed');
  } catch (error) {
    // A worker that fails alone would leave its peers waiting in the next collective: fail theirs too.
    distributed?.abort(`worker ${distributed.rank} stopped: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  } finally {
    runner?.dispose();
    parallel?.dispose();
    optimizer.dispose();
  }

  async function finish(status: TrainResult['status']): Promise<TrainResult> {
    const state = progress.earlyStopping;
    let best: TrainResult['best'] = null;
    if (state && state.best !== null) {
      const restore = status !== 'aborted' && options.earlyStopping?.restoreBest === true && bestModel !== null;
      if (restore) await restoreWeights(model, bestModel!, 'the best epoch\'s weights');
      best = { epoch: state.bestEpoch, value: state.best, restored: restore };
    }
    return { status, epochsCompleted: progress.epoch, steps: progress.step, history: progress.history, resumedFromStep, best };
  }
}

/**
 * The progress of a resume that changed the learning rate or its schedule: the changes are recorded,
 * and a plateau schedule's rate starts over from the new base rate (a new schedule starts fresh).
 */
function withChanges(
  progress: Progress,
  changes: readonly RunChange[],
  schedule: ResolvedLearningRateSchedule,
  baseLearningRate: number,
): Progress {
  if (!changes.length) return progress;
  const scheduleChanged = changes.some((change) => change.setting === 'learningRateSchedule');
  let { plateau } = progress;
  if (schedule.type !== 'plateau') plateau = null;
  else if (scheduleChanged || !plateau) plateau = startPlateau(baseLearningRate);
  else plateau = { ...plateau, learningRate: baseLearningRate };
  return { ...progress, plateau, changes: [...progress.changes, ...changes] };
}
