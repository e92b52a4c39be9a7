import { brandError, hasErrorBrand } from '../error-brand.js';
import type { RunChange } from './run-changes.js';

/**
 * Emitted after every optimizer step. Loss terms are plain numbers (batch means, in nats), as losses:
 * lower is better. Epochs and batches count from 1: the step that ends batch 5 of epoch 3 of 10 reports
 * `epoch: 3, epochs: 10, batch: 5`, as the CLI prints it and `metrics.jsonl` records it.
 */
export interface StepEvent {
  /** The epoch this step belongs to, 1-based. */
  readonly epoch: number;
  readonly epochs: number;
  /** The batch within the epoch, 1-based. */
  readonly batch: number;
  readonly batches: number;
  /** Global step, 1-based after the step completes. */
  readonly step: number;
  readonly totalSteps: number;
  readonly terms: Readonly<Record<string, number>>;
  readonly klWeight: number;
  /** The learning rate this step's update used, after the schedule. */
  readonly learningRate: number;
  /** The global L2 norm of the step's gradients, before any clipping (`clipGradientNorm`). */
  readonly gradientNorm: number;
  readonly examplesPerSecond: number;
  readonly elapsedMs: number;
  /** Estimated time to finish all epochs, from the run's average step time so far. */
  readonly etaMs: number;
}

/**
 * Emitted once per epoch: mean training terms, and validation terms when a validation set is given.
 * Both are losses in nats per example, lower is better, under the same names: `total`, `reconstruction`
 * (−log p(x|z)) and `kl`. Every field but `elapsedMs` is a function of the run's settings and data alone,
 * so a resumed run's events equal the uninterrupted run's; `elapsedMs` is wall-clock time since this
 * `train` call started.
 */
export interface EpochEvent {
  /** The epoch that ended, 1-based: the last event of a 10-epoch run has `epoch: 10, epochs: 10`. */
  readonly epoch: number;
  readonly epochs: number;
  /** Global steps completed at the epoch's end. */
  readonly step: number;
  /**
   * Means over the epoch's steps of the model's loss terms: `total` is the training objective (the
   * negative ELBO with the step's KL weight and free bits), plus any terms the model adds.
   */
  readonly train: Readonly<Record<string, number>>;
  /**
   * The held-out loss at the epoch's end: `total` is the negative ELBO (KL weight 1, no free bits), so
   * `validation.total` = `reconstruction` + `kl`, and −`validation.total` is `evaluate`'s `elbo`.
   */
  readonly validation?: Readonly<Record<string, number>>;
  readonly elapsedMs: number;
  readonly skippedSteps: number;
}

/** A resume from a checkpoint, told before training continues. */
export interface ResumeEvent {
  /** Global steps completed before the resume. */
  readonly step: number;
  /** The epoch training continues in, 1-based, like `StepEvent.epoch`. */
  readonly epoch: number;
  /** Batches of that epoch already trained (so training continues with batch `nextBatch + 1`). */
  readonly nextBatch: number;
  /** The checkpoint's format (`CHECKPOINT_FORMAT` unless it was written by an older vaekit). */
  readonly format: number;
  /**
   * What could not be checked, or why the continuation will not match an uninterrupted run bit for bit
   * (an older checkpoint format, another backend or compile setting). Empty when the resume is exact.
   */
  readonly notes: readonly string[];
  /** Settings this resume changed, as `allowResumeChanges` let it (also recorded in the checkpoint). */
  readonly changes: readonly RunChange[];
}

export interface TrainResult {
  /** `stopped-early` when early stopping's patience ran out (in this call, or before the resume). */
  readonly status: 'completed' | 'aborted' | 'stopped-early';
  /** Epochs fully completed (including ones done before a resume). */
  readonly epochsCompleted: number;
  readonly steps: number;
  readonly history: readonly EpochEvent[];
  readonly resumedFromStep: number | null;
  /**
   * With early stopping: the best epoch (1-based) and its monitored value, and whether its weights were
   * put back into the model (`restoreBest`); null without early stopping or before any epoch ended.
   */
  readonly best: { readonly epoch: number; readonly value: number; readonly restored: boolean } | null;
}

const NON_FINITE_LOSS_ERROR = Symbol.for('vaekit.NonFiniteLossError');

/** A loss or gradient went NaN or infinite: training stopped before the bad update was applied. */
export class NonFiniteLossError extends Error {
  /** True for a NonFiniteLossError from any copy of @vaekit/core, where `instanceof` misses other copies'. */
  static isInstance(value: unknown): value is NonFiniteLossError {
    return hasErrorBrand(value, NON_FINITE_LOSS_ERROR);
  }

  constructor(
    readonly step: number,
    readonly terms: Readonly<Record<string, number>>,
    readonly gradientNorm: number,
  ) {
    super(
      `non-finite loss or gradient at step ${step} (${Object.entries(terms)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}, gradient norm=${gradientNorm}); the update was not applied. ` +
        'Lower the learning rate, check the data for extreme values, or enable KL warm-up.',
    );
    this.name = 'NonFiniteLossError';
    brandError(this, NON_FINITE_LOSS_ERROR);
  }
}
