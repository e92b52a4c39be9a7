import * as tf from '@tensorflow/tfjs-core';
import type { VaeModel } from '../model.js';
import { createSchedule, type ScheduleConfig } from '../schedules.js';
import { evaluate } from '../evaluate.js';
import { datasetFingerprint, type DataFingerprint, type Dataset } from '../dataset.js';
import {
  CHECKPOINT_FORMAT,
  decodeCheckpoint,
  encodeCheckpoint,
  type CheckpointStore,
  type DecodedCheckpoint,
  type EpochSums,
  type LegacyLoopState,
  type LoopState,
  type RunSettings,
  type TrainingEnvironment,
} from './checkpoint.js';
import { NonFiniteLossError, type EpochEvent, type ResumeEvent, type StepEvent, type TrainResult } from './events.js';
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
  /**
   * Called at the end of every epoch, in this order: the epoch's validation runs, the epoch's checkpoint
   * is saved (with a store), then `onEpochEnd` is awaited. `history` holds every epoch of the run so far,
   * this one included, and equals the saved checkpoint's `state.history`; its events are deterministic but
   * for `elapsedMs`. A consumer that rewrites its per-epoch log from `history` stays consistent with the
   * checkpoint: a run stopped after the checkpoint but before (or during) this call resumes after the
   * epoch without calling `onEpochEnd` for it again, and the next call's `history` still holds it (for
   * the last epoch, so does the checkpoint's `state.history`).
   */
  onEpochEnd?: (event: EpochEvent, model: VaeModel, history: readonly EpochEvent[]) => void | Promise<void>;
  /** Where checkpoints go; written at every epoch's end, every `checkpointEverySteps`, and on abort. */
  checkpoint?: CheckpointStore;
  checkpointEverySteps?: number;
  /**
   * Continue from the store's latest checkpoint when there is one. The checkpoint records every setting
   * that shapes the run (seed, batch size, optimizer, KL schedule, free bits, the NaN policy once a step
   * was skipped) and fingerprints of the training and validation data; a resume that differs in any of
   * them is refused with a RangeError naming each. `epochs` may differ: a run can be extended.
   */
  resume?: boolean;
  /**
   * Told when training resumes from a checkpoint, with notes on what could not be checked or will not
   * repeat bit for bit. Without it, notes go to console.warn.
   */
  onResume?: (event: ResumeEvent) => void;
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

/** The part of the loop state that changes as training goes. */
type Progress = Omit<LoopState, 'format' | 'run' | 'optimizer' | 'environment'>;

const NO_SUMS: EpochSums = { examples: 0, terms: {} };

/**
 * Trains a model by stochastic gradient descent on the negative ELBO (or whatever `model.loss` returns
 * as `total`). Every update is checked before it is applied: a NaN or infinite loss or gradient never
 * reaches the weights. Batches, binarization and noise derive from (seed, epoch, step), and a checkpoint
 * holds everything else the loop carries (optimizer state, the epoch's running sums, the skip count),
 * so a resumed run repeats the uninterrupted one exactly: the same weights and the same history.
 */
export async function train(model: VaeModel, data: Dataset, options: TrainOptions): Promise<TrainResult> {
  const settings = validateOptions(model, data, options);
  const klSchedule: ScheduleConfig = options.klSchedule ?? { type: 'constant', value: 1 };
  const klWeightAt = createSchedule(klSchedule);
  const trainable = model.variables().filter((v) => v.trainable).map((v) => v.variable);
  const batchesPerEpoch = Math.ceil(data.size / settings.batchSize);
  const totalSteps = batchesPerEpoch * options.epochs;
  const environment: TrainingEnvironment = { backend: tf.getBackend(), compile: options.compile ?? 'auto' };
  // Fingerprinting reads part of the data: only a run that writes or reads checkpoints needs it.
  const run = options.checkpoint ? await runSettings(data, options, settings, klSchedule) : null;

  let progress: Progress = {
    epoch: 0,
    nextBatch: 0,
    step: 0,
    skippedSteps: 0,
    consecutiveSkips: 0,
    epochSums: NO_SUMS,
    history: [],
  };
  let resumedFromStep: number | null = null;
  let resumed: { checkpoint: DecodedCheckpoint; notes: string[]; location: string } | null = null;
  if (options.resume && options.checkpoint && run) {
    const bytes = await options.checkpoint.load();
    if (bytes) {
      const { location } = options.checkpoint;
      const checkpoint = await decodeCheckpoint(bytes, location);
      // Checked before anything is built, so a refused resume leaves nothing to clean up.
      resumed = { checkpoint, location, notes: checkResume(checkpoint.state, run, settings.optimizer, environment, location) };
    }
  }

  const optimizer = createOptimizer(settings.optimizer);
  let runner: StepRunner | null = null;
  try {
    if (resumed) {
      const { checkpoint, notes, location } = resumed;
      await checkpoint.restoreModel(model);
      await checkpoint.restoreOptimizer(optimizer);
      progress = progressOf(checkpoint.state);
      resumedFromStep = progress.step;
      const { step, epoch, nextBatch } = progress;
      const event: ResumeEvent = { step, epoch, nextBatch, format: checkpoint.format, notes };
      if (options.onResume) options.onResume(event);
      else if (notes.length) console.warn(`vaekit: resuming from ${location}: ${notes.join('; ')}`);
    }

    const started = performance.now();
    const stepsAtStart = progress.step;
    runner = createStepRunner(model, optimizer, trainable, options);
    const save = async (): Promise<void> => {
      if (!options.checkpoint || !run) return;
      const state: LoopState = { format: CHECKPOINT_FORMAT, ...progress, run, optimizer: settings.optimizer, environment };
      await options.checkpoint.save(await encodeCheckpoint(model, optimizer, state));
    };

    for (let epoch = progress.epoch; epoch < options.epochs; epoch++) {
      const batches = epochBatches(data.size, settings.batchSize, settings.seed, epoch);
      for (let b = epoch === progress.epoch ? progress.nextBatch : 0; b < batches.length; b++) {
        if (options.signal?.aborted) {
          await save();
          return finish('aborted');
        }
        const indices = batches[b]!;
        const klWeight = klWeightAt(progress.step);
        const x = data.batch(indices, mixSeed(settings.seed, epoch, b));
        let outcome;
        try {
          outcome = await runner.run(x, {
            noiseSeed: mixSeed(settings.seed, progress.step, 0x7a11),
            step: progress.step,
            klWeight,
            freeBits: settings.freeBits,
          });
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
          epochSums: addToSums(progress.epochSums, outcome.terms, indices.length),
        };
        const elapsedMs = performance.now() - started;
        const stepsDone = progress.step - stepsAtStart;
        options.onStep?.({
          epoch,
          epochs: options.epochs,
          batch: b + 1,
          batches: batches.length,
          step: progress.step,
          totalSteps,
          terms: outcome.terms,
          klWeight,
          gradientNorm: outcome.gradientNorm,
          examplesPerSecond: (stepsDone * settings.batchSize * 1000) / Math.max(elapsedMs, 1),
          elapsedMs,
          etaMs: (elapsedMs / stepsDone) * (totalSteps - progress.step),
        });
        if (settings.checkpointEverySteps > 0 && progress.step % settings.checkpointEverySteps === 0) await save();
      }

      // The epoch's end: validation, then the checkpoint (its history holds this epoch), then onEpochEnd.
      const validation = options.validation
        ? await validationTerms(model, options.validation, settings, options.validationLimit)
        : undefined;
      const event: EpochEvent = {
        epoch,
        epochs: options.epochs,
        step: progress.step,
        train: meansOf(progress.epochSums),
        ...(validation ? { validation } : {}),
        elapsedMs: performance.now() - started,
        skippedSteps: progress.skippedSteps,
      };
      progress = { ...progress, epoch: epoch + 1, nextBatch: 0, epochSums: NO_SUMS, history: [...progress.history, event] };
      await save();
      await options.onEpochEnd?.(event, model, progress.history);
    }
    return finish('completed');
  } finally {
    runner?.dispose();
    optimizer.dispose();
  }

  function finish(status: TrainResult['status']): TrainResult {
    return { status, epochsCompleted: progress.epoch, steps: progress.step, history: progress.history, resumedFromStep };
  }
}

/** Adds one step's batch means, weighted by its examples, in float64 and in step order. */
function addToSums(sums: EpochSums, terms: Readonly<Record<string, number>>, examples: number): EpochSums {
  const next: Record<string, number> = { ...sums.terms };
  for (const [name, value] of Object.entries(terms)) next[name] = (next[name] ?? 0) + value * examples;
  return { examples: sums.examples + examples, terms: next };
}

function meansOf(sums: EpochSums): Record<string, number> {
  return Object.fromEntries(Object.entries(sums.terms).map(([name, sum]) => [name, sum / Math.max(sums.examples, 1)]));
}

/** The loop's progress from a checkpoint; a format-1 one knows no running sums or skip streak. */
function progressOf(state: LoopState | LegacyLoopState): Progress {
  const { epoch, nextBatch, step, skippedSteps, history } = state;
  if (state.format === 1) return { epoch, nextBatch, step, skippedSteps, consecutiveSkips: 0, epochSums: NO_SUMS, history };
  return { epoch, nextBatch, step, skippedSteps, consecutiveSkips: state.consecutiveSkips, epochSums: state.epochSums, history };
}

async function runSettings(data: Dataset, options: TrainOptions, settings: Settings, klSchedule: ScheduleConfig): Promise<RunSettings> {
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
  };
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

/**
 * Refuses a resume whose settings or data differ from the checkpoint's (a RangeError naming each
 * difference, old and new), and returns notes on what could not be checked or will not repeat exactly.
 */
function checkResume(
  saved: LoopState | LegacyLoopState,
  current: RunSettings,
  optimizer: OptimizerConfig,
  environment: TrainingEnvironment,
  location: string,
): string[] {
  const mismatches: string[] = [];
  const notes: string[] = [];
  const compare = <T>(name: string, was: T, now: T, show: (value: T) => string = showValue): void => {
    if (canonicalJson(was) !== canonicalJson(now)) mismatches.push(`${name} ${show(was)} (now ${show(now)})`);
  };
  compare('seed', saved.run.seed, current.seed);
  compare('batchSize', saved.run.batchSize, current.batchSize);
  if (saved.format === 1) {
    compare('datasetSize', saved.run.datasetSize, current.datasetSize);
    compare('optimizer', saved.optimizer, optimizer);
    notes.push(
      'checkpoint format 1 (written by an older vaekit) does not record the KL schedule, free bits, the NaN policy or ' +
        "fingerprints of the data: they were not checked, so resume it only with the run's own settings and data",
    );
    if (saved.nextBatch > 0) {
      notes.push(
        `it does not hold the running sums of epoch ${saved.epoch + 1} either: that epoch's train means will cover ` +
          `only the batches after step ${saved.step}`,
      );
    }
  } else {
    const was = saved.run;
    compare('klSchedule', was.klSchedule, current.klSchedule);
    compare('freeBits', was.freeBits, current.freeBits);
    compare('optimizer', saved.optimizer, optimizer);
    // The NaN policy has shaped the run only once a step was skipped: until then every policy reaches the
    // same state (a 'throw' run that met a NaN stopped there, with no later checkpoint), so switching
    // before that is exact, and is how a run that stopped on a NaN is continued with `skip`.
    if (saved.skippedSteps > 0) {
      compare('onNonFinite', was.onNonFinite, current.onNonFinite);
      compare('maxSkippedSteps', was.maxSkippedSteps, current.maxSkippedSteps);
    }
    compare('data', was.data, current.data, describeData);
    compare('validation', was.validation?.data ?? null, current.validation?.data ?? null, describeData);
    if (was.validation && current.validation) {
      compare('validationLimit', was.validation.limit, current.validation.limit, (limit: number | null) => `${limit ?? 'all'}`);
    }
    const before = describeEnvironment(saved.environment);
    const now = describeEnvironment(environment);
    if (before !== now) {
      notes.push(
        `the run was trained ${before}; it continues ${now}: its steps round differently, so it will not match an ` +
          'uninterrupted run bit for bit',
      );
    }
  }
  if (mismatches.length) {
    throw new RangeError(
      `cannot resume from ${location}: it was written with ${mismatches.join(', ')}. ` +
        "Resume with the run's own settings and data, or start a new run (in another folder, or without resuming).",
    );
  }
  return notes;
}

function showValue(value: unknown): string {
  return typeof value === 'object' && value !== null ? canonicalJson(value) : String(value);
}

function describeData(fingerprint: DataFingerprint | null): string {
  if (!fingerprint) return 'none';
  return `${fingerprint.size} examples of [${fingerprint.exampleShape.join(', ')}], content ${fingerprint.hash.slice(0, 12)}`;
}

/** How steps run there: the compile setting matters only on native, where steps can be compiled. */
function describeEnvironment({ backend, compile }: TrainingEnvironment): string {
  if (backend !== 'tensorflow') return `on ${backend}, op by op`;
  return `on native, ${compile === false ? 'op by op' : compile === 'xla' ? 'compiled with XLA' : 'compiled'}`;
}

/** JSON with object keys sorted, so two configs that differ only in key order compare equal. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
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
