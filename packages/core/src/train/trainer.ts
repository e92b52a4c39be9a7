import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../dataset.js';
import type { VaeModel } from '../model.js';
import { createSchedule, type ScheduleConfig } from '../schedules.js';
import { evaluate } from '../evaluate.js';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointStore, type LoopState } from './checkpoint.js';
import { NonFiniteLossError, type EpochEvent, type StepEvent, type TrainResult } from './events.js';
import { createOptimizer, DEFAULT_OPTIMIZER, type OptimizerConfig } from './optimizer.js';
import { epochBatches, mixSeed } from './order.js';
import { compiledStepRunner, eagerStepRunner, type CompileEvent, type StepRunner } from './step-runner.js';
import { functionSupport } from '../compile/native-functions.js';

export interface TrainOptions {
  epochs: number;
  /** Default 128. */
  batchSize?: number;
  /** Default Adam with learning rate 1e-3. */
  optimizer?: OptimizerConfig;
  /** Drives shuffling, dynamic binarization and the reparameterization noise. Default 0. */
  seed?: number;
  /** Weight on the KL term by step (KL warm-up, cyclical annealing). Default constant 1. */
  klSchedule?: ScheduleConfig;
  /** Free-bits floor, nats per latent dimension. Default 0 (off). */
  freeBits?: number;
  /** Evaluated (ELBO terms) after every epoch when given. */
  validation?: Dataset;
  /** Cap on validation examples per epoch, to bound its cost. Default all. */
  validationLimit?: number;
  /** Stops at the next step boundary; a checkpoint is written first when a store is given. */
  signal?: AbortSignal;
  onStep?: (event: StepEvent) => void;
  onEpochEnd?: (event: EpochEvent, model: VaeModel) => void | Promise<void>;
  /** Where checkpoints go; written after every epoch, every `checkpointEverySteps`, and on abort. */
  checkpoint?: CheckpointStore;
  checkpointEverySteps?: number;
  /** Continue from the store's latest checkpoint when there is one. */
  resume?: boolean;
  /** What a NaN/Inf loss or gradient does: `throw` (default) or `skip` the batch (at most `maxSkippedSteps` in a row). */
  onNonFinite?: 'throw' | 'skip';
  maxSkippedSteps?: number;
  /**
   * Run each step as one compiled TensorFlow function (native backend): `auto` (the default) with
   * TensorFlow's graph optimizer, `xla` compiled by XLA too, `false` op by op. On other backends, or when
   * a model's step cannot be traced, steps run op by op and `onCompile` hears why.
   */
  compile?: 'auto' | 'xla' | false;
  /** What became of compiling. Without it, a step that falls back to eager is reported with console.warn. */
  onCompile?: (event: CompileEvent) => void;
}

/**
 * Trains a model by stochastic gradient descent on the negative ELBO (or whatever `model.loss` returns
 * as `total`). Every update is checked before it is applied: a NaN or infinite loss or gradient never
 * reaches the weights. Batches, binarization and noise derive from (seed, epoch, step), so a resumed
 * run repeats the uninterrupted one exactly.
 */
export async function train(model: VaeModel, data: Dataset, options: TrainOptions): Promise<TrainResult> {
  const settings = validateOptions(model, data, options);
  const optimizer = createOptimizer(settings.optimizer);
  const klWeightAt = createSchedule(options.klSchedule ?? { type: 'constant', value: 1 });
  const trainable = model.variables().filter((v) => v.trainable).map((v) => v.variable);
  const batchesPerEpoch = Math.ceil(data.size / settings.batchSize);
  const totalSteps = batchesPerEpoch * options.epochs;

  let state: LoopState = {
    epoch: 0,
    nextBatch: 0,
    step: 0,
    skippedSteps: 0,
    history: [],
    run: { seed: settings.seed, batchSize: settings.batchSize, datasetSize: data.size },
    optimizer: settings.optimizer,
  };
  let resumedFromStep: number | null = null;
  if (options.resume && options.checkpoint) {
    const bytes = await options.checkpoint.load();
    if (bytes) {
      const checkpoint = await decodeCheckpoint(bytes, options.checkpoint.location);
      assertSameRun(checkpoint.state, state, options.checkpoint.location);
      await checkpoint.restoreModel(model);
      await checkpoint.restoreOptimizer(optimizer);
      state = checkpoint.state;
      resumedFromStep = state.step;
    }
  }

  const started = performance.now();
  const stepsAtStart = state.step;
  let consecutiveSkips = 0;
  const runner = createStepRunner(model, optimizer, trainable, options);
  const save = async (): Promise<void> => {
    if (options.checkpoint) await options.checkpoint.save(await encodeCheckpoint(model, optimizer, state));
  };

  try {
    for (let epoch = state.epoch; epoch < options.epochs; epoch++) {
      const batches = epochBatches(data.size, settings.batchSize, settings.seed, epoch);
      const sums = new Map<string, number>();
      let counted = 0;
      for (let b = epoch === state.epoch ? state.nextBatch : 0; b < batches.length; b++) {
        if (options.signal?.aborted) {
          await save();
          return finish('aborted');
        }
        const indices = batches[b]!;
        const klWeight = klWeightAt(state.step);
        const x = data.batch(indices, mixSeed(settings.seed, epoch, b));
        let outcome;
        try {
          outcome = await runner.run(x, {
            noiseSeed: mixSeed(settings.seed, state.step, 0x7a11),
            step: state.step,
            klWeight,
            freeBits: settings.freeBits,
          });
        } finally {
          x.dispose();
        }
        if (!outcome.finite) {
          if (settings.onNonFinite === 'throw' || ++consecutiveSkips > settings.maxSkippedSteps) {
            throw new NonFiniteLossError(state.step + 1, outcome.terms, outcome.gradientNorm);
          }
          state = { ...state, nextBatch: b + 1, step: state.step + 1, skippedSteps: state.skippedSteps + 1 };
          continue;
        }
        consecutiveSkips = 0;
        for (const [name, value] of Object.entries(outcome.terms)) {
          sums.set(name, (sums.get(name) ?? 0) + value * indices.length);
        }
        counted += indices.length;
        state = { ...state, epoch, nextBatch: b + 1, step: state.step + 1 };
        const elapsedMs = performance.now() - started;
        const stepsDone = state.step - stepsAtStart;
        options.onStep?.({
          epoch,
          epochs: options.epochs,
          batch: b + 1,
          batches: batches.length,
          step: state.step,
          totalSteps,
          terms: outcome.terms,
          klWeight,
          gradientNorm: outcome.gradientNorm,
          examplesPerSecond: (stepsDone * settings.batchSize * 1000) / Math.max(elapsedMs, 1),
          elapsedMs,
          etaMs: (elapsedMs / stepsDone) * (totalSteps - state.step),
        });
        if (settings.checkpointEverySteps > 0 && state.step % settings.checkpointEverySteps === 0) await save();
      }

      const trainMeans = Object.fromEntries([...sums].map(([k, v]) => [k, v / Math.max(counted, 1)]));
      const validation = options.validation
        ? await validationTerms(model, options.validation, settings, options.validationLimit)
        : undefined;
      const event: EpochEvent = {
        epoch,
        epochs: options.epochs,
        step: state.step,
        train: trainMeans,
        ...(validation ? { validation } : {}),
        elapsedMs: performance.now() - started,
        skippedSteps: state.skippedSteps,
      };
      state = { ...state, epoch: epoch + 1, nextBatch: 0, history: [...state.history, event] };
      await options.onEpochEnd?.(event, model);
      await save();
    }
    return finish('completed');
  } finally {
    runner.dispose();
    optimizer.dispose();
  }

  function finish(status: TrainResult['status']): TrainResult {
    return { status, epochsCompleted: state.epoch, steps: state.step, history: state.history, resumedFromStep };
  }
}

async function validationTerms(
  model: VaeModel,
  data: Dataset,
  settings: { seed: number; batchSize: number },
  limit: number | undefined,
): Promise<Record<string, number>> {
  const result = await evaluate(model, data, {
    batchSize: Math.max(settings.batchSize, 256),
    seed: mixSeed(settings.seed, 0xe7a1),
    ...(limit !== undefined ? { limit } : {}),
  });
  return { elbo: result.elbo, reconstruction: result.reconstruction, kl: result.kl };
}

interface Settings {
  batchSize: number;
  seed: number;
  freeBits: number;
  optimizer: OptimizerConfig;
  onNonFinite: 'throw' | 'skip';
  maxSkippedSteps: number;
  checkpointEverySteps: number;
}

function validateOptions(model: VaeModel, data: Dataset, options: TrainOptions): Settings {
  const { epochs } = options;
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`epochs must be a whole number >= 1, got ${epochs}`);
  const batchSize = options.batchSize ?? 128;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a whole number >= 1, got ${batchSize}`);
  }
  if (data.size < 1) throw new RangeError('the training data set is empty');
  if (!tf.util.arraysEqual([...data.exampleShape], [...model.inputShape])) {
    throw new RangeError(
      `data examples have shape [${data.exampleShape}], but the ${model.className} expects [${model.inputShape}]`,
    );
  }
  const freeBits = options.freeBits ?? 0;
  if (!(freeBits >= 0)) throw new RangeError(`freeBits must be >= 0, got ${freeBits}`);
  if (options.resume && !options.checkpoint) throw new RangeError('resume needs a checkpoint store');
  const compile = options.compile ?? 'auto';
  if (compile !== 'auto' && compile !== 'xla' && compile !== false) {
    throw new RangeError(`compile must be 'auto', 'xla' or false, got ${JSON.stringify(compile)}`);
  }
  if (compile === 'xla' && tf.getBackend() !== 'tensorflow') {
    throw new RangeError(`compile: 'xla' needs the native backend; the active backend is ${tf.getBackend()}`);
  }
  return {
    batchSize,
    seed: options.seed ?? 0,
    freeBits,
    optimizer: options.optimizer ?? DEFAULT_OPTIMIZER,
    onNonFinite: options.onNonFinite ?? 'throw',
    maxSkippedSteps: options.maxSkippedSteps ?? 10,
    checkpointEverySteps: options.checkpointEverySteps ?? 0,
  };
}

function assertSameRun(saved: LoopState, current: LoopState, location: string): void {
  const mismatches: string[] = [];
  for (const key of ['seed', 'batchSize', 'datasetSize'] as const) {
    if (saved.run[key] !== current.run[key]) mismatches.push(`${key} ${saved.run[key]} (now ${current.run[key]})`);
  }
  if (JSON.stringify(saved.optimizer) !== JSON.stringify(current.optimizer)) {
    mismatches.push(`optimizer ${JSON.stringify(saved.optimizer)} (now ${JSON.stringify(current.optimizer)})`);
  }
  if (mismatches.length) {
    throw new RangeError(
      `cannot resume from ${location}: it was written with ${mismatches.join(', ')}. ` +
        'Resume with the same settings, or start a new run in another folder.',
    );
  }
}

const warnedReasons = new Set<string>();

/** Eager steps, or compiled ones where the backend can run them; says once why not when it cannot. */
function createStepRunner(model: VaeModel, optimizer: tf.Optimizer, trainable: tf.Variable[], options: TrainOptions): StepRunner {
  const compile = options.compile ?? 'auto';
  const report =
    options.onCompile ??
    ((event: CompileEvent) => {
      if (event.status !== 'eager' || warnedReasons.has(event.reason)) return;
      warnedReasons.add(event.reason);
      console.warn(`vaekit: compiled steps are off, training runs op by op: ${event.reason}`);
    });
  if (compile === false) return eagerStepRunner(model, optimizer, trainable);
  if (tf.getBackend() !== 'tensorflow') {
    options.onCompile?.({ status: 'eager', reason: `the ${tf.getBackend()} backend runs steps op by op` });
    return eagerStepRunner(model, optimizer, trainable);
  }
  const support = functionSupport();
  if (!support.available) {
    report({ status: 'eager', reason: support.reason });
    return eagerStepRunner(model, optimizer, trainable);
  }
  return compiledStepRunner(model, optimizer, trainable, compile, report);
}
