import * as tf from '@tensorflow/tfjs-core';
import type { VaeModel } from '../model.js';
import { decodeContainer, encodeContainer, CorruptFileError } from '../serialization/container.js';
import { assignWeights, deserializeModel, serializeModel } from '../serialization/model-file.js';
import { decodeNamedTensors, encodeNamedTensors } from '../serialization/tensors.js';
import type { EpochEvent } from './events.js';
import type { OptimizerConfig } from './optimizer.js';
import type { DataFingerprint } from '../dataset.js';
import type { ScheduleConfig } from '../schedules.js';
import type { PlateauState } from '../lr-schedule/plateau.js';
import type { ResolvedLearningRateSchedule } from '../lr-schedule/schedule-config.js';
import { restoreAdamPowers } from './adam-powers.js';
import type { EarlyStoppingRule, EarlyStoppingState } from './early-stopping.js';
import type { RunChange } from './run-changes.js';

const CHECKPOINT_KIND = 'vaekit-checkpoint';
const BEST_SECTION = 'best';

/**
 * The checkpoint format this code writes. 1: vaekit before exact resume (no format field; seed, batch
 * size, data size and optimizer recorded). 2: adds the epoch's running sums, the consecutive-skip count,
 * every setting that shapes the run, fingerprints of the data, and where the run was trained. 3: the
 * history's epochs count from 1 and its validation terms are losses (`total` = −ELBO); the learning-rate
 * schedule and its state, early stopping's state and best weights, gradient clipping, and the record of
 * settings changed on a resume.
 */
export const CHECKPOINT_FORMAT = 3;

/** Running sums of the epoch in progress, so a resumed epoch reports the same train means. */
export interface EpochSums {
  /** Examples counted so far in the epoch (skipped steps count none). */
  readonly examples: number;
  /** Per loss term, the float64 sum of (batch mean × batch size) over the epoch's steps so far, in step order. */
  readonly terms: Readonly<Record<string, number>>;
}

/**
 * Every setting that shapes a run: a resume that differs in any of them would not continue the run that
 * was saved, and `train` refuses it. (The number of epochs is not one: a run may be extended.)
 */
export interface RunSettings {
  readonly seed: number;
  readonly batchSize: number;
  readonly datasetSize: number;
  readonly klSchedule: ScheduleConfig;
  readonly freeBits: number;
  /** What the NaN guard does; they shape the run only once a step has been skipped (see `train`). */
  readonly onNonFinite: 'throw' | 'skip';
  readonly maxSkippedSteps: number;
  readonly data: DataFingerprint;
  /** The validation data and its cap, which shape the history's validation terms; null without validation. */
  readonly validation: { readonly data: DataFingerprint; readonly limit: number | null } | null;
  /** How the learning rate moves, defaults filled in (a resume may change it only when asked). */
  readonly learningRateSchedule: ResolvedLearningRateSchedule;
  /** The cap on the gradient's global norm; null when gradients are not clipped. */
  readonly clipGradientNorm: number | null;
  /** When to stop early; null without early stopping. */
  readonly earlyStopping: EarlyStoppingRule | null;
}

/** Where a run was trained: a change does not refuse a resume, but its steps then round differently. */
export interface TrainingEnvironment {
  readonly backend: string;
  readonly compile: 'auto' | 'xla' | false;
}

/** Where the loop was, so a resumed run continues exactly as if it had not stopped. */
export interface LoopState {
  readonly format: typeof CHECKPOINT_FORMAT;
  /** Epoch in progress (0-based) and the next batch within it. */
  readonly epoch: number;
  readonly nextBatch: number;
  /** Global steps completed. */
  readonly step: number;
  readonly skippedSteps: number;
  /** Steps skipped in a row just before this point, against `maxSkippedSteps`. */
  readonly consecutiveSkips: number;
  readonly epochSums: EpochSums;
  /** One event per completed epoch; an epoch is in it from the checkpoint written at its end on. */
  readonly history: readonly EpochEvent[];
  /** A reduce-on-plateau schedule's state; null for other schedules. */
  readonly plateau: PlateauState | null;
  /** Early stopping's state; null without early stopping. */
  readonly earlyStopping: EarlyStoppingState | null;
  /** Settings changed by resumes that were allowed to change them, in order. */
  readonly changes: readonly RunChange[];
  /** Settings a resume must match, or the continuation would not be the same run. */
  readonly run: RunSettings;
  readonly optimizer: OptimizerConfig;
  readonly environment: TrainingEnvironment;
}

/** Where checkpoints live: a file (see `@vaekit/core/node`), IndexedDB, memory, … Writes must be atomic. */
export interface CheckpointStore {
  save(bytes: Uint8Array): Promise<void>;
  /** The latest checkpoint, or null when there is none. */
  load(): Promise<Uint8Array | null>;
  /** A human-readable location for messages. */
  readonly location: string;
}

interface CheckpointMeta {
  // As read back: a state from another vaekit may have any format, or none.
  readonly state: LoopState | { readonly format?: number };
  readonly optimizerWeights: tf.io.WeightsManifestEntry[];
}

export async function encodeCheckpoint(
  model: VaeModel,
  optimizer: tf.Optimizer,
  state: LoopState,
  /** The best epoch's model file (`serializeModel`), kept for early stopping's `restoreBest`. */
  bestModel: Uint8Array | null = null,
): Promise<Uint8Array> {
  const optimizerWeights = await optimizer.getWeights();
  // getWeights makes a fresh scalar for the iteration count; the other entries are the optimizer's own.
  const made = optimizerWeights.filter((w) => !(w.tensor instanceof tf.Variable)).map((w) => w.tensor);
  let encoded: Awaited<ReturnType<typeof encodeNamedTensors>>;
  try {
    encoded = await encodeNamedTensors(optimizerWeights);
  } finally {
    tf.dispose(made);
  }
  const { specs, bytes } = encoded;
  const meta: CheckpointMeta = { state, optimizerWeights: specs };
  const sections: Record<string, Uint8Array> = { model: await serializeModel(model), optimizer: bytes };
  if (bestModel) sections[BEST_SECTION] = bestModel;
  return encodeContainer(CHECKPOINT_KIND, meta, sections);
}

export interface DecodedCheckpoint {
  /** The format it was written in (`CHECKPOINT_FORMAT` for this code's checkpoints). */
  readonly format: number;
  readonly state: LoopState;
  /** Restores the checkpoint's weights into a model of the same config. */
  restoreModel(model: VaeModel): Promise<void>;
  /** A fresh model built from the checkpoint (import @vaekit/variants first). */
  loadModel(): Promise<VaeModel>;
  restoreOptimizer(optimizer: tf.Optimizer): Promise<void>;
  /** The best epoch's model file, when early stopping kept one. */
  readonly bestModel: Uint8Array | null;
}

export async function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): Promise<DecodedCheckpoint> {
  const container = await decodeContainer<CheckpointMeta>(bytes, CHECKPOINT_KIND, source);
  const { optimizerWeights } = container.header.meta;
  const state = readState(container.header.meta.state, source);
  const modelBytes = container.section('model');
  const bestModel = container.header.sections.some((s) => s.name === BEST_SECTION) ? container.section(BEST_SECTION) : null;
  return {
    format: state.format,
    state,
    bestModel,
    restoreModel: (model) => restoreWeights(model, modelBytes, source),
    loadModel: () => deserializeModel(modelBytes, source),
    async restoreOptimizer(optimizer) {
      const values = decodeNamedTensors(optimizerWeights, container.section('optimizer'));
      const ordered = optimizerWeights.map((spec) => ({ name: spec.name, tensor: values[spec.name]! }));
      try {
        await optimizer.setWeights(ordered);
        restoreAdamPowers(optimizer, optimizer.iterations);
      } finally {
        tf.dispose(Object.values(values));
      }
    },
  };
}

/** Puts the weights of a model file into a model of the same config. */
export async function restoreWeights(model: VaeModel, modelBytes: Uint8Array, source: string): Promise<void> {
  const saved = await deserializeModel(modelBytes, source);
  try {
    if (JSON.stringify(saved.getConfig()) !== JSON.stringify(model.getConfig())) {
      throw new CorruptFileError(`${source} was written by a model with a different config; resume with the same model options`);
    }
    const values: tf.NamedTensorMap = {};
    for (const { name, variable } of saved.variables()) values[name] = variable;
    assignWeights(model, values, source);
  } finally {
    saved.dispose();
  }
}

/** A state of this format; one from a newer vaekit, or from a pre-release one, is refused rather than misread. */
function readState(saved: CheckpointMeta['state'], source: string): LoopState {
  const format = saved.format;
  if (format === CHECKPOINT_FORMAT) return saved as LoopState;
  if (typeof format === 'number' && format > CHECKPOINT_FORMAT) {
    throw new CorruptFileError(
      `${source} is a checkpoint of format ${format}, written by a newer vaekit; this one reads format ` +
        `${CHECKPOINT_FORMAT}: upgrade vaekit to resume it`,
    );
  }
  throw new CorruptFileError(
    `${source} is a checkpoint of format ${format ?? 1}, written by a pre-release vaekit, which no release reads; ` +
      'start a new run',
  );
}

/** A store that keeps the latest checkpoint in memory: for tests and browsers without storage. */
export function memoryCheckpointStore(): CheckpointStore & { readonly saves: number } {
  let latest: Uint8Array | null = null;
  let saves = 0;
  return {
    location: 'memory',
    get saves() {
      return saves;
    },
    async save(bytes) {
      latest = bytes.slice();
      saves += 1;
    },
    async load() {
      return latest ? latest.slice() : null;
    },
  };
}

/**
 * Where a checkpoint stands against a run of `epochs` epochs, for deciding what a resume does:
 * `continues` (steps are left to train), `complete` (every epoch is trained and no batch of another is
 * pending, so a resume trains nothing) or `beyond` (it holds more epochs than `epochs`: resuming with
 * that total would not continue the run, it would cut it short).
 */
export type CheckpointStanding = 'continues' | 'complete' | 'beyond';

export function checkpointStanding(state: Pick<LoopState, 'epoch' | 'nextBatch'>, epochs: number): CheckpointStanding {
  if (state.epoch > epochs) return 'beyond';
  return state.epoch === epochs && state.nextBatch === 0 ? 'complete' : 'continues';
}
