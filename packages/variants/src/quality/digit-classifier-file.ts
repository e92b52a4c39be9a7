import type * as tf from '@tensorflow/tfjs-core';
import { CorruptFileError } from '@vaekit/core';
import { assignWeights, decodeContainer, decodeNamedTensors, encodeContainer, encodeNamedTensors } from '@vaekit/core/internal';
import { checkDigitClassifierConfig, DigitClassifier, digitClassifierWeights, type DigitClassifierConfig } from './digit-classifier.js';

const CLASSIFIER_KIND = 'vaekit-classifier';
/** The classifier-file format this code writes and reads. */
export const CLASSIFIER_FORMAT = 1;

interface ClassifierMeta {
  readonly config: DigitClassifierConfig;
  readonly weights: tf.io.WeightsManifestEntry[];
  /** Accuracy on the held-out digits when saved, so a cached file can report it without recomputing. */
  readonly testAccuracy: number | null;
  readonly vaekitFormat: typeof CLASSIFIER_FORMAT;
}

/** Writes a classifier (config, every weight, its test accuracy) into one self-checking byte array. */
export async function serializeDigitClassifier(classifier: DigitClassifier, testAccuracy: number | null = null): Promise<Uint8Array> {
  const named = classifier.variables().map(({ name, variable }) => ({ name, tensor: variable as tf.Tensor }));
  const { specs, bytes } = await encodeNamedTensors(named);
  const meta: ClassifierMeta = { config: classifier.getConfig(), weights: specs, testAccuracy, vaekitFormat: CLASSIFIER_FORMAT };
  return encodeContainer(CLASSIFIER_KIND, meta, { weights: bytes });
}

/**
 * Rebuilds a classifier from `serializeDigitClassifier`'s bytes. The container's checksums, the config and
 * the weight list (names and shapes against what the config builds) are checked before any weight is
 * decoded; a refusal is a one-line `CorruptFileError` and leaves no tensor behind.
 */
export async function deserializeDigitClassifier(bytes: Uint8Array, source = 'classifier file'): Promise<{ classifier: DigitClassifier; testAccuracy: number | null }> {
  const container = await decodeContainer<unknown>(bytes, CLASSIFIER_KIND, source);
  const meta = container.header.meta as Partial<ClassifierMeta> | null;
  if (typeof meta !== 'object' || meta === null) throw new CorruptFileError(`${source} has a corrupt header: its meta is not an object`);
  if (meta.vaekitFormat !== CLASSIFIER_FORMAT) {
    throw new CorruptFileError(`${source} has classifier format ${String(meta.vaekitFormat)}; this vaekit reads format ${CLASSIFIER_FORMAT}`);
  }
  const config = meta.config as DigitClassifierConfig;
  let expected: ReturnType<typeof digitClassifierWeights>;
  try {
    checkDigitClassifierConfig(config);
    expected = digitClassifierWeights(config);
  } catch (error) {
    throw new CorruptFileError(`${source} holds a config that is not a valid DigitClassifier: ${(error as Error).message}`);
  }
  const listed = Array.isArray(meta.weights) ? meta.weights : [];
  const mismatch =
    listed.length !== expected.length ||
    expected.some((w, i) => listed[i]?.name !== w.name || JSON.stringify(listed[i]?.shape) !== JSON.stringify(w.shape) || listed[i]?.dtype !== 'float32');
  if (mismatch) throw new CorruptFileError(`${source} lists weights that do not match its DigitClassifier config`);
  const accuracy = meta.testAccuracy;
  if (accuracy !== null && !(typeof accuracy === 'number' && accuracy >= 0 && accuracy <= 1)) {
    throw new CorruptFileError(`${source} has a corrupt header: its test accuracy is not a share from 0 to 1`);
  }
  let classifier: DigitClassifier;
  try {
    classifier = new DigitClassifier(config);
  } catch (error) {
    throw new CorruptFileError(`${source} holds a config that is not a valid DigitClassifier: ${(error as Error).message}`);
  }
  try {
    const values = decodeNamedTensors(listed, container.section('weights'), source);
    try {
      assignWeights(classifier, values, source);
    } finally {
      for (const tensor of Object.values(values)) tensor.dispose();
    }
  } catch (error) {
    classifier.dispose();
    throw error;
  }
  return { classifier, testAccuracy: accuracy ?? null };
}
