import * as tf from '@tensorflow/tfjs-core';
import type { VaeModel } from '../model.js';
import { createModel, getRegisteredModel, UnknownModelError } from '../registry.js';
import { checkConfigBounds } from './config-bounds.js';
import { CorruptFileError, decodeContainer, encodeContainer } from './container.js';
import { quoteUntrusted } from './corrupt-file-error.js';
import { disposeOnFailure } from './leak-guard.js';
import { resolveLoadLimits, type LoadLimits } from './load-limits.js';
import { checkModelMeta, MODEL_FORMAT, type ModelMeta } from './model-meta.js';
import { decodeNamedTensors, encodeNamedTensors } from './tensors.js';
import { checkWeightManifest, matchWeightManifest } from './weight-manifest.js';

const MODEL_KIND = 'vaekit-model';

export interface DeserializeModelOptions {
  /** Budgets the file is checked against before anything is allocated (defaults: `DEFAULT_LOAD_LIMITS`). */
  readonly limits?: Partial<LoadLimits>;
}

/** Writes a whole model (config + every weight) into one self-checking byte array. */
export async function serializeModel(model: VaeModel): Promise<Uint8Array> {
  const named = model.variables().map(({ name, variable }) => ({ name, tensor: variable as tf.Tensor }));
  const { specs, bytes } = await encodeNamedTensors(named);
  const meta: ModelMeta = { config: model.getConfig(), weights: specs, vaekitFormat: MODEL_FORMAT };
  return encodeContainer(MODEL_KIND, meta, { weights: bytes });
}

/**
 * Rebuilds a model from `serializeModel`'s bytes via the registry (import @vaekit/variants first).
 * The bytes are untrusted: the container, the weight list against the bytes it claims and the config
 * against that weight list are all checked before the model is built, and a failure at any point
 * leaves no tensor behind. Every refusal is a one-line `CorruptFileError` (or `UnknownModelError`).
 */
export async function deserializeModel(bytes: Uint8Array, source = 'model file', options: DeserializeModelOptions = {}): Promise<VaeModel> {
  const limits = resolveLoadLimits(options.limits);
  const container = await decodeContainer<unknown>(bytes, MODEL_KIND, source);
  const { config, weights } = checkModelMeta(container.header.meta, source);
  const weightBytes = container.section('weights');
  const manifest = checkWeightManifest(weights, weightBytes.byteLength, source, limits);
  const registered = getRegisteredModel(config.className);
  if (registered.expectedWeights) {
    const listWeights = registered.expectedWeights;
    matchWeightManifest(manifest, fromFile(source, config.className, () => listWeights(config)), source, config.className);
  } else {
    checkConfigBounds(config, source, limits);
  }
  return disposeOnFailure(() => {
    const model = fromFile(source, config.className, () => createModel(config));
    try {
      // Decoded inside disposeOnFailure's scope: released once copied into the variables.
      assignWeights(model, decodeNamedTensors(manifest, weightBytes, source, limits), source);
    } catch (error) {
      model.dispose();
      throw error;
    }
    return model;
  });
}

/** Runs a step driven by a file's config, turning what the model's own checks throw into a file error. */
function fromFile<T>(source: string, className: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (CorruptFileError.isInstance(error) || UnknownModelError.isInstance(error)) throw error;
    throw new CorruptFileError(`${source} holds a config that is not a valid ${className}: ${(error as Error).message}`);
  }
}

/** Copies named values into a model's variables, checking that names and shapes match exactly. */
export function assignWeights(
  model: Pick<VaeModel, 'className' | 'variables'>,
  values: tf.NamedTensorMap,
  source = 'weights',
): void {
  const variables = model.variables();
  const expected = new Set(variables.map((v) => v.name));
  const unexpected = Object.keys(values).filter((name) => !expected.has(name));
  if (unexpected.length > 0) {
    const shown = unexpected.slice(0, 5).map((name) => quoteUntrusted(name)).join(', ');
    throw new CorruptFileError(
      `${source} has weights this ${model.className} does not: ${shown}${unexpected.length > 5 ? ` and ${unexpected.length - 5} more` : ''}`,
    );
  }
  for (const { name, variable } of variables) {
    const value = values[name];
    if (!value) throw new CorruptFileError(`${source} is missing weight '${name}' of ${model.className}`);
    if (!tf.util.arraysEqual(value.shape, variable.shape)) {
      throw new CorruptFileError(
        `${source}: weight '${name}' has shape [${value.shape}], the model expects [${variable.shape}]`,
      );
    }
    // assign() would throw a tfjs error of its own; this says which file and weight.
    if (value.dtype !== variable.dtype) {
      throw new CorruptFileError(`${source}: weight '${name}' is ${value.dtype}, the model expects ${variable.dtype}`);
    }
  }
  for (const { name, variable } of variables) variable.assign(values[name]!);
}
