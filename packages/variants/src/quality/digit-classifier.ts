import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { NamedVariable } from '@vaekit/core';
import { buildNetwork, planWeights, type NetworkPlan, type PlannedWeight } from '../layer-plan.js';
import { namedLayerVariables } from '../networks.js';

/** The digit pictures a classifier reads: 28 × 28 grey levels in [0, 1]. */
export const DIGIT_SIDE = 28;
export const DIGIT_PIXELS = DIGIT_SIDE * DIGIT_SIDE;
export const DIGIT_CLASSES = 10;

export interface DigitClassifierConfig {
  readonly className: 'DigitClassifier';
  /** Filters of the two stride-2 3 × 3 convolutions (28 → 14 → 7). */
  readonly filters: readonly [number, number];
  /** Units of the penultimate layer: the features sample-quality scores compare. */
  readonly featureUnits: number;
  /** Seed of the Glorot-uniform kernels. */
  readonly seed: number;
}

export const DIGIT_CLASSIFIER_DEFAULTS: DigitClassifierConfig = { className: 'DigitClassifier', filters: [32, 64], featureUnits: 128, seed: 0 };

/** The body (picture → features) and head (features → class logits) as layer plans. */
function plans(config: DigitClassifierConfig): { body: NetworkPlan; head: NetworkPlan } {
  const [first, second] = config.filters;
  const conv = (filters: number, seed: number) =>
    ({ kind: 'conv2d', filters, kernelSize: 3, strides: 2, relu: true, useBias: true, seed }) as const;
  return {
    body: {
      inputShape: [DIGIT_SIDE, DIGIT_SIDE, 1],
      layers: [conv(first, config.seed), conv(second, config.seed + 1), { kind: 'flatten' }, { kind: 'dense', units: config.featureUnits, relu: true, useBias: true, seed: config.seed + 2 }],
    },
    head: { inputShape: [config.featureUnits], layers: [{ kind: 'dense', units: DIGIT_CLASSES, relu: false, useBias: true, seed: config.seed + 3 }] },
  };
}

/** Refuses a config that does not describe a classifier this code can build. */
export function checkDigitClassifierConfig(config: DigitClassifierConfig): void {
  const whole = (name: string, value: unknown, max: number): void => {
    if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > max) {
      throw new RangeError(`DigitClassifier: ${name} must be a whole number from 1 to ${max}, got ${String(value)}`);
    }
  };
  if (config.className !== 'DigitClassifier') throw new RangeError(`not a DigitClassifier config: className ${String(config.className)}`);
  if (!Array.isArray(config.filters) || config.filters.length !== 2) throw new RangeError('DigitClassifier: filters must list two numbers');
  config.filters.forEach((f, i) => whole(`filters[${i}]`, f, 1024));
  whole('featureUnits', config.featureUnits, 4096);
  if (!Number.isSafeInteger(config.seed) || config.seed < 0) throw new RangeError(`DigitClassifier: seed must be a whole number >= 0, got ${config.seed}`);
}

/** Every weight a classifier of `config` has, by name, without building it. */
export function digitClassifierWeights(config: DigitClassifierConfig): PlannedWeight[] {
  const { body, head } = plans(config);
  return [...planWeights('body', body), ...planWeights('head', head)];
}

/**
 * A small convolutional MNIST classifier whose penultimate layer gives the features that sample-quality
 * scores (Fréchet distance, precision, recall) compare, in the way Inception's features serve for
 * natural pictures. Inputs are grey digits in [0, 1], [n, 784] or [n, 28, 28, 1].
 */
export class DigitClassifier {
  readonly className = 'DigitClassifier';
  private readonly body: tfl.Sequential;
  private readonly head: tfl.Sequential;

  constructor(private readonly config: DigitClassifierConfig = DIGIT_CLASSIFIER_DEFAULTS) {
    checkDigitClassifierConfig(config);
    const { body, head } = plans(config);
    this.body = buildNetwork(body);
    this.head = buildNetwork(head);
  }

  get featureUnits(): number {
    return this.config.featureUnits;
  }

  getConfig(): DigitClassifierConfig {
    return { ...this.config, filters: [...this.config.filters] as [number, number] };
  }

  /** The penultimate layer's activations, [n, featureUnits]. */
  features(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.body.apply(asDigitBatch(x)) as tf.Tensor2D);
  }

  /** Unnormalized class scores, [n, 10]. */
  logits(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.head.apply(this.features(x)) as tf.Tensor2D);
  }

  /** The most likely digit of each picture, int32 [n]. */
  predict(x: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => tf.argMax(this.logits(x), 1) as tf.Tensor1D);
  }

  variables(): NamedVariable[] {
    return [...namedLayerVariables('body', this.body), ...namedLayerVariables('head', this.head)];
  }

  dispose(): void {
    this.body.dispose();
    this.head.dispose();
  }
}

/** [n, 784] or [n, 28, 28, 1] (or [n, 28, 28]) → [n, 28, 28, 1]; anything else is refused plainly. */
export function asDigitBatch(x: tf.Tensor): tf.Tensor4D {
  const [n, ...rest] = x.shape;
  const flat = rest.length === 1 && rest[0] === DIGIT_PIXELS;
  const square = (rest.length === 2 || (rest.length === 3 && rest[2] === 1)) && rest[0] === DIGIT_SIDE && rest[1] === DIGIT_SIDE;
  if (n === undefined || !(flat || square)) {
    throw new RangeError(`a DigitClassifier reads [n, 784] or [n, 28, 28, 1] grey digits, got [${x.shape}]`);
  }
  return tf.reshape(tf.cast(x, 'float32'), [n, DIGIT_SIDE, DIGIT_SIDE, 1]);
}
