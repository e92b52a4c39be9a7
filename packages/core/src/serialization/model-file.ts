import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig, VaeModel } from '../model.js';
import { createModel, getRegisteredModel } from '../registry.js';
import { CorruptFileError, decodeContainer, encodeContainer } from './container.js';
import { decodeNamedTensors, encodeNamedTensors } from './tensors.js';

const MODEL_KIND = 'vaekit-model';

interface ModelMeta {
  readonly config: ModelConfig;
  readonly weights: tf.io.WeightsManifestEntry[];
  readonly vaekitFormat: 1;
}

/** Writes a whole model (config + every weight) into one self-checking byte array. */
export async function serializeModel(model: VaeModel): Promise<Uint8Array> {
  const named = model.variables().map(({ name, variable }) => ({ name, tensor: variable as tf.Tensor }));
  const { specs, bytes } = await encodeNamedTensors(named);
  const meta: ModelMeta = { config: model.getConfig(), weights: specs, vaekitFormat: 1 };
  return encodeContainer(MODEL_KIND, meta, { weights: bytes });
}

/** Rebuilds a model from `serializeModel`'s bytes via the registry (import @vaekit/variants first). */
export async function deserializeModel(bytes: Uint8Array, source = 'model file'): Promise<VaeModel> {
  const container = await decodeContainer<ModelMeta>(bytes, MODEL_KIND, source);
  const { config: saved, weights } = container.header.meta;
  const upgrade = getRegisteredModel(saved.className).upgradeSavedConfig;
  const model = createModel(upgrade ? upgrade(saved) : saved);
  try {
    const values = decodeNamedTensors(weights, container.section('weights'));
    try {
      assignWeights(model, values, source);
    } finally {
      tf.dispose(Object.values(values));
    }
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/** Copies named values into a model's variables, checking that names and shapes match exactly. */
export function assignWeights(model: VaeModel, values: tf.NamedTensorMap, source = 'weights'): void {
  const variables = model.variables();
  const expected = new Set(variables.map((v) => v.name));
  const unexpected = Object.keys(values).filter((name) => !expected.has(name));
  if (unexpected.length > 0) {
    throw new CorruptFileError(`${source} has weights this ${model.className} does not: ${unexpected.join(', ')}`);
  }
  for (const { name, variable } of variables) {
    const value = values[name];
    if (!value) throw new CorruptFileError(`${source} is missing weight '${name}' of ${model.className}`);
    if (!tf.util.arraysEqual(value.shape, variable.shape)) {
      throw new CorruptFileError(
        `${source}: weight '${name}' has shape [${value.shape}], the model expects [${variable.shape}]`,
      );
    }
  }
  for (const { name, variable } of variables) variable.assign(values[name]!);
}
