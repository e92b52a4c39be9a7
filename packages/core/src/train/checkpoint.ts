import * as tf from '@tensorflow/tfjs-core';
import type { VaeModel } from '../model.js';
import { decodeContainer, encodeContainer, CorruptFileError } from '../serialization/container.js';
import { assignWeights, deserializeModel, serializeModel } from '../serialization/model-file.js';
import { decodeNamedTensors, encodeNamedTensors } from '../serialization/tensors.js';
import type { EpochEvent } from './events.js';
import type { OptimizerConfig } from './optimizer.js';
import { restoreAdamPowers } from './adam-powers.js';

const CHECKPOINT_KIND = 'vaekit-checkpoint';

/** Where the loop was, so a resumed run continues exactly as if it had not stopped. */
export interface LoopState {
  /** Epoch in progress (0-based) and the next batch within it. */
  readonly epoch: number;
  readonly nextBatch: number;
  /** Global steps completed. */
  readonly step: number;
  readonly skippedSteps: number;
  readonly history: readonly EpochEvent[];
  /** Settings a resume must match, or the continuation would not be the same run. */
  readonly run: { readonly seed: number; readonly batchSize: number; readonly datasetSize: number };
  readonly optimizer: OptimizerConfig;
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
  readonly state: LoopState;
  readonly optimizerWeights: tf.io.WeightsManifestEntry[];
}

export async function encodeCheckpoint(
  model: VaeModel,
  optimizer: tf.Optimizer,
  state: LoopState,
): Promise<Uint8Array> {
  const optimizerWeights = await optimizer.getWeights();
  // getWeights makes a fresh scalar for the iteration count; the other entries are the optimizer's own.
  const made = optimizerWeights.filter((w) => !(w.tensor instanceof tf.Variable)).map((w) => w.tensor);
  let encoded;
  try {
    encoded = await encodeNamedTensors(optimizerWeights);
  } finally {
    tf.dispose(made);
  }
  const { specs, bytes } = encoded;
  const meta: CheckpointMeta = { state, optimizerWeights: specs };
  return encodeContainer(CHECKPOINT_KIND, meta, { model: await serializeModel(model), optimizer: bytes });
}

export interface DecodedCheckpoint {
  readonly state: LoopState;
  /** Restores the checkpoint's weights into a model of the same config. */
  restoreModel(model: VaeModel): Promise<void>;
  /** A fresh model built from the checkpoint (import @vaekit/variants first). */
  loadModel(): Promise<VaeModel>;
  restoreOptimizer(optimizer: tf.Optimizer): Promise<void>;
}

export async function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): Promise<DecodedCheckpoint> {
  const container = await decodeContainer<CheckpointMeta>(bytes, CHECKPOINT_KIND, source);
  const { state, optimizerWeights } = container.header.meta;
  const modelBytes = container.section('model');
  return {
    state,
    async restoreModel(model) {
      const saved = await deserializeModel(modelBytes, source);
      try {
        if (JSON.stringify(saved.getConfig()) !== JSON.stringify(model.getConfig())) {
          throw new CorruptFileError(
            `${source} was written by a model with a different config; resume with the same model options`,
          );
        }
        const values: tf.NamedTensorMap = {};
        for (const { name, variable } of saved.variables()) values[name] = variable;
        assignWeights(model, values, source);
      } finally {
        saved.dispose();
      }
    },
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
