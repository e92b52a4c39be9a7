import * as tf from '@tensorflow/tfjs-core';
import type { AsyncDataset } from '../dataset.js';
import { DEFAULT_PREFETCH } from '../prefetch.js';
import type { VaeModel } from '../model.js';
import type { ScheduleConfig } from '../schedules.js';
import type { CheckpointStore } from './checkpoint.js';
import type { EpochEvent, ResumeEvent, StepEvent } from './events.js';
import { DEFAULT_LEARNING_RATE, DEFAULT_OPTIMIZER, type OptimizerConfig } from './optimizer.js';
import type { CompileEvent } from './step-runner.js';
import { checkWholeCount } from '../whole-count.js';
import type { LearningRateSchedule } from '../lr-schedule/schedule-config.js';
import { resolveEarlyStopping, type EarlyStoppingOptions, type EarlyStoppingRule } from './early-stopping.js';
import { checkResumeChangeable, type ResumeChangeable } from './run-changes.js';
import { checkDistributed, type DistributedTraining } from './distributed.js';

export interface TrainOptions {
  epochs: number;
  /** Default 128. */
  batchSize?: number;
  /** Default Adam with learning rate 1e-3. */
  optimizer?: OptimizerConfig;
  /**
   * How the learning rate moves during the run: a multiple of the optimizer's `learningRate` by step or
   * epoch (step, exponential, cosine with warm-up), or reduced when a monitored figure stops improving
   * (`plateau`). Recorded in checkpoints and repeated exactly on resume. Default constant.
   */
  learningRateSchedule?: LearningRateSchedule;
  /**
   * Scale each step's gradients down so their global L2 norm is at most this, before the optimizer
   * sees them. `StepEvent.gradientNorm` is the norm before clipping. Default off.
   */
  clipGradientNorm?: number;
  /**
   * Stop when a figure (the held-out loss by default) has not improved for `patience` epochs, keeping
   * the best epoch's weights (in checkpoints too, so a resume can still restore them).
   */
  earlyStopping?: EarlyStoppingOptions;
  /**
   * Called when the early-stopping figure reaches a new best, with the model holding that epoch's
   * weights: after validation and before the epoch's checkpoint, so a run stopped in between repeats
   * the epoch on resume and calls it again with the same weights.
   */
  onBest?: (event: EpochEvent, model: VaeModel) => void | Promise<void>;
  /** Drives shuffling, dynamic binarization and the reparameterization noise. Default 0. */
  seed?: number;
  /** Weight on the KL term by step (KL warm-up, cyclical annealing). Default constant 1. */
  klSchedule?: ScheduleConfig;
  /** Free-bits floor, nats per latent dimension. Default 0 (off). */
  freeBits?: number;
  /** Evaluated (ELBO terms) after every epoch when given. */
  validation?: AsyncDataset;
  /** Cap on validation examples per epoch, to bound its cost. Default all. */
  validationLimit?: number;
  /**
   * Batches read ahead of the running step (training and validation), so an asynchronous data set's
   * reads overlap computing; 0 reads each batch when its step starts. It changes no result, so a run
   * may resume with another value. Default 2.
   */
  prefetch?: number;
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
   * Settings a resume may change from the checkpoint's: `learningRate` (the optimizer's; its other
   * fields must match) and `learningRateSchedule`. A change takes effect at the step the run resumes
   * from, is recorded in the checkpoint's `changes` and told to `onResume`. Default none.
   */
  allowResumeChanges?: readonly ResumeChangeable[];
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
  /**
   * Train as one worker of a synchronous data-parallel cluster (`@vaekit/distributed`'s `trainingWorker`).
   * `batchSize` is then the global batch, a multiple of the worker count: every worker walks the same seeded
   * batch order and trains on its contiguous share of each batch; gradients and loss terms are averaged over
   * the workers in one collective per step, so every worker applies the update a single process would.
   * Rank 0's weights are sent to all at the start. Only the chief (rank 0) saves checkpoints; on resume
   * every worker must read the chief's checkpoint (any worker count, the same global batch). A `signal` on
   * any worker stops all of them after the same step. Steps run op by op.
   */
  distributed?: DistributedTraining;
}

/** The options with their defaults filled in, after checking. */
export interface Settings {
  batchSize: number;
  seed: number;
  freeBits: number;
  optimizer: OptimizerConfig;
  onNonFinite: 'throw' | 'skip';
  maxSkippedSteps: number;
  checkpointEverySteps: number;
  prefetch: number;
  /** The optimizer's learning rate, which the schedule scales. */
  baseLearningRate: number;
  clipGradientNorm: number | null;
  earlyStopping: EarlyStoppingRule | null;
  allowResumeChanges: readonly ResumeChangeable[];
}

export function validateOptions(model: VaeModel, data: AsyncDataset, options: TrainOptions): Settings {
  checkWholeCount('epochs', options.epochs);
  const batchSize = options.batchSize ?? 128;
  checkWholeCount('batchSize', batchSize);
  if (data.size < 1) throw new RangeError('the training data set is empty');
  if (!tf.util.arraysEqual([...data.exampleShape], [...model.inputShape])) {
    throw new RangeError(
      `data examples have shape [${data.exampleShape}], but the ${model.className} expects [${model.inputShape}]`,
    );
  }
  const freeBits = options.freeBits ?? 0;
  if (!(freeBits >= 0)) throw new RangeError(`freeBits must be >= 0, got ${freeBits}`);
  if (options.resume && !options.checkpoint) throw new RangeError('resume needs a checkpoint store');
  const prefetch = options.prefetch ?? DEFAULT_PREFETCH;
  if (!Number.isInteger(prefetch) || prefetch < 0) throw new RangeError(`prefetch must be a whole number >= 0, got ${prefetch}`);
  const compile = options.compile ?? 'auto';
  if (compile !== 'auto' && compile !== 'xla' && compile !== false) {
    throw new RangeError(`compile must be 'auto', 'xla' or false, got ${JSON.stringify(compile)}`);
  }
  if (compile === 'xla' && tf.getBackend() !== 'tensorflow') {
    throw new RangeError(`compile: 'xla' needs the native backend; the active backend is ${tf.getBackend()}`);
  }
  const optimizer = options.optimizer ?? DEFAULT_OPTIMIZER;
  const baseLearningRate = optimizer.learningRate ?? DEFAULT_LEARNING_RATE;
  const clip = options.clipGradientNorm;
  if (clip !== undefined && !(typeof clip === 'number' && Number.isFinite(clip) && clip > 0)) {
    throw new RangeError(`clipGradientNorm must be a positive finite number, got ${JSON.stringify(clip)}`);
  }
  const hasValidation = options.validation !== undefined;
  if (options.distributed) checkDistributed(options.distributed, model, batchSize, data.size);
  return {
    batchSize,
    seed: options.seed ?? 0,
    freeBits,
    optimizer,
    onNonFinite: options.onNonFinite ?? 'throw',
    maxSkippedSteps: options.maxSkippedSteps ?? 10,
    checkpointEverySteps: options.checkpointEverySteps ?? 0,
    prefetch,
    baseLearningRate,
    clipGradientNorm: clip ?? null,
    earlyStopping: options.earlyStopping ? resolveEarlyStopping(options.earlyStopping, hasValidation) : null,
    allowResumeChanges: checkResumeChangeable(options.allowResumeChanges ?? []),
  };
}
