import type * as tf from '@tensorflow/tfjs-core';
import { isRecord } from '../serialization/container-header.js';
import { CorruptFileError, decodeContainer, encodeContainer } from '../serialization/container.js';
import { quoteUntrusted } from '../serialization/corrupt-file-error.js';
import { disposeOnFailure } from '../serialization/leak-guard.js';
import { resolveLoadLimits, type LoadLimits } from '../serialization/load-limits.js';
import { assignWeights } from '../serialization/model-file.js';
import { decodeNamedTensors, encodeNamedTensors } from '../serialization/tensors.js';
import { checkWeightManifest } from '../serialization/weight-manifest.js';
import { getSampler, UnknownSamplerError } from './registry.js';
import type { LatentSampler, SamplerConfig } from './types.js';

const SAMPLER_KIND = 'vaekit-sampler';
/** The sampler-file format this code writes and reads. */
export const SAMPLER_FORMAT = 1;

interface SamplerMeta {
  readonly config: SamplerConfig;
  readonly weights: tf.io.WeightsManifestEntry[];
  readonly vaekitFormat: typeof SAMPLER_FORMAT;
}

/** Writes a fitted sampler (config + every weight) into one self-checking byte array. */
export async function serializeSampler(sampler: LatentSampler): Promise<Uint8Array> {
  const named = sampler.variables().map(({ name, variable }) => ({ name, tensor: variable as tf.Tensor }));
  const { specs, bytes } = await encodeNamedTensors(named);
  const meta: SamplerMeta = { config: sampler.getConfig(), weights: specs, vaekitFormat: SAMPLER_FORMAT };
  return encodeContainer(SAMPLER_KIND, meta, { weights: bytes });
}

/**
 * Rebuilds a sampler from `serializeSampler`'s bytes through the sampler registry (import
 * @vaekit/variants first). The bytes are untrusted: the container and the weight list are checked
 * before anything is allocated, and a failure leaves no tensor behind.
 */
export async function deserializeSampler(
  bytes: Uint8Array,
  source = 'sampler file',
  options: { readonly limits?: Partial<LoadLimits> } = {},
): Promise<LatentSampler> {
  const limits = resolveLoadLimits(options.limits);
  const container = await decodeContainer<unknown>(bytes, SAMPLER_KIND, source);
  const { config, weights } = checkSamplerMeta(container.header.meta, source);
  const weightBytes = container.section('weights');
  const manifest = checkWeightManifest(weights, weightBytes.byteLength, source, limits);
  const definition = getSampler(config.className);
  return disposeOnFailure(() => {
    let sampler: LatentSampler;
    try {
      sampler = definition.create(config);
    } catch (error) {
      if (UnknownSamplerError.isInstance(error)) throw error;
      throw new CorruptFileError(`${source} holds a config that is not a valid ${config.className}: ${(error as Error).message}`);
    }
    try {
      assignWeights(sampler, decodeNamedTensors(manifest, weightBytes, source, limits), source);
    } catch (error) {
      sampler.dispose();
      throw error;
    }
    return sampler;
  });
}

function checkSamplerMeta(meta: unknown, source: string): { config: SamplerConfig & Record<string, unknown>; weights: unknown } {
  if (!isRecord(meta)) throw new CorruptFileError(`${source} has a corrupt header: its meta is not an object`);
  if (meta.vaekitFormat !== SAMPLER_FORMAT) {
    throw new CorruptFileError(
      `${source} has sampler format ${quoteUntrusted(meta.vaekitFormat)}; this vaekit reads format ${SAMPLER_FORMAT}` +
        (typeof meta.vaekitFormat === 'number' && meta.vaekitFormat > SAMPLER_FORMAT ? ': upgrade vaekit to load it' : ''),
    );
  }
  const config = meta.config;
  if (!isRecord(config) || typeof config.className !== 'string' || config.className.length > 100) {
    throw new CorruptFileError(`${source} has a corrupt header: its sampler config has no className`);
  }
  const shape = config.latentShape;
  if (!Array.isArray(shape) || shape.length === 0 || shape.length > 8 || !shape.every((d) => Number.isSafeInteger(d) && d > 0 && d <= 1 << 20)) {
    throw new CorruptFileError(`${source} has a corrupt header: its sampler config has no valid latentShape`);
  }
  return { config: config as SamplerConfig & Record<string, unknown>, weights: meta.weights };
}
