import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LikelihoodDescription, NamedVariable } from '@vaekit/core';
import { buildNetwork, type LayerPlan, type NetworkPlan } from './layer-plan.js';

/** Encoder/decoder body: a multilayer perceptron or a small strided-convolution stack. */
export type ArchitectureConfig =
  | { readonly type: 'mlp'; readonly hiddenUnits: readonly number[] }
  | { readonly type: 'conv'; readonly filters: readonly number[]; readonly kernelSize: number; readonly denseUnits: number };

export const DEFAULT_ARCHITECTURE: ArchitectureConfig = { type: 'mlp', hiddenUnits: [512, 512] };

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Options for `buildEncoder`. */
export interface EncoderOptions {
  /**
   * Batch-normalize every hidden layer's pre-activation (Ioffe and Szegedy 2015). Such a network must be
   * run with `run(net, x, training)`: batch statistics in training, moving averages otherwise.
   */
  readonly batchNorm?: boolean;
}

/**
 * The encoder's layers: inputs of `inputShape` to `outputUnits` numbers per example (e.g. mean and
 * log-variance). Kernels are seeded `seed`, `seed + 1`, … in layer order (seeded Glorot initialization:
 * the same config and seed give the same weights on every backend).
 */
export function encoderPlan(
  architecture: ArchitectureConfig,
  inputShape: readonly number[],
  outputUnits: number,
  seed: number,
  options: EncoderOptions = {},
): NetworkPlan {
  const layers: LayerPlan[] = [];
  const batchNorm = options.batchNorm ?? false;
  let s = seed;
  if (architecture.type === 'mlp') {
    // Flat inputs need no reshape layer: each layer is a kernel launch forward and backward.
    if (inputShape.length !== 1) layers.push({ kind: 'reshape', targetShape: [product(inputShape)] });
    for (const units of architecture.hiddenUnits) layers.push(...rectifiedDense(units, s++, batchNorm));
  } else {
    const [height, width] = convInputShape(inputShape, architecture.filters.length);
    layers.push({ kind: 'reshape', targetShape: [height, width, inputShape[2] ?? 1] });
    for (const filters of architecture.filters) {
      layers.push(
        { kind: 'conv2d', filters, kernelSize: architecture.kernelSize, strides: 2, seed: s++, ...rectifiedArgs(batchNorm) },
        ...normalizedRelu(batchNorm),
      );
    }
    layers.push({ kind: 'flatten' }, ...rectifiedDense(architecture.denseUnits, s++, batchNorm));
  }
  layers.push({ kind: 'dense', units: outputUnits, relu: false, useBias: true, seed: s++ });
  return { inputShape, layers };
}

/** Maps inputs of `inputShape` to `outputUnits` numbers per example (e.g. mean and log-variance). */
export function buildEncoder(
  architecture: ArchitectureConfig,
  inputShape: readonly number[],
  outputUnits: number,
  seed: number,
  options: EncoderOptions = {},
): tfl.Sequential {
  return buildNetwork(encoderPlan(architecture, inputShape, outputUnits, seed, options));
}

/** The decoder's layers: latent codes of `latentUnits` to `outputShape` likelihood parameters per example. */
export function decoderPlan(architecture: ArchitectureConfig, latentUnits: number, outputShape: readonly number[], seed: number): NetworkPlan {
  const layers: LayerPlan[] = [];
  let s = seed;
  const dense = (units: number, relu: boolean): LayerPlan => ({ kind: 'dense', units, relu, useBias: true, seed: s++ });
  if (architecture.type === 'mlp') {
    for (const units of architecture.hiddenUnits) layers.push(dense(units, true));
    layers.push(dense(product(outputShape), false));
    if (outputShape.length > 1) layers.push({ kind: 'reshape', targetShape: outputShape });
    return { inputShape: [latentUnits], layers };
  }
  const levels = architecture.filters.length;
  const [height, width] = convInputShape(outputShape, levels);
  const channelsOut = product(outputShape.slice(2));
  const reversed = [...architecture.filters].reverse();
  const baseH = height / 2 ** levels;
  const baseW = width / 2 ** levels;
  layers.push(dense(architecture.denseUnits, true), dense(baseH * baseW * reversed[0]!, true));
  layers.push({ kind: 'reshape', targetShape: [baseH, baseW, reversed[0]!] });
  reversed.forEach((_, i) => {
    const last = i === reversed.length - 1;
    layers.push({
      kind: 'conv2dTranspose',
      filters: last ? channelsOut : reversed[i + 1]!,
      kernelSize: architecture.kernelSize,
      strides: 2,
      relu: !last,
      useBias: true,
      seed: s++,
    });
  });
  layers.push({ kind: 'reshape', targetShape: outputShape });
  return { inputShape: [latentUnits], layers };
}

/** Maps latent codes of `latentUnits` to `outputShape` likelihood parameters per example. */
export function buildDecoder(
  architecture: ArchitectureConfig,
  latentUnits: number,
  outputShape: readonly number[],
  seed: number,
): tfl.Sequential {
  return buildNetwork(decoderPlan(architecture, latentUnits, outputShape, seed));
}

/**
 * The decoder's output shape for inputs of `inputShape`: the input's own with one parameter per value,
 * else the parameters stacked on a last axis (a Gaussian with learned per-pixel variance needs two).
 */
export function decoderOutputShape(inputShape: readonly number[], likelihood: Pick<LikelihoodDescription, 'paramsPerValue'>): number[] {
  return likelihood.paramsPerValue === 1 ? [...inputShape] : [...inputShape, likelihood.paramsPerValue];
}

/** Convolutions need [height, width, channels?] inputs whose sides halve cleanly at every level. */
function convInputShape(shape: readonly number[], levels: number): [number, number] {
  const [height, width] = shape;
  if (shape.length < 2 || height === undefined || width === undefined) {
    throw new RangeError(
      `a convolutional network needs image-shaped inputs [height, width, channels], got [${shape}]; set inputShape to e.g. [28, 28, 1], or use an MLP body`,
    );
  }
  const step = 2 ** levels;
  if (height % step !== 0 || width % step !== 0) {
    throw new RangeError(`a ${levels}-level convolutional network needs height and width divisible by ${step}, got ${height}x${width}`);
  }
  return [height, width];
}

/** A network's weights under stable names (`prefix/layerIndex/kernel`), independent of tfjs's global name counter. */
export function namedLayerVariables(prefix: string, net: tfl.LayersModel): NamedVariable[] {
  return net.layers.flatMap((layer, index) =>
    layer.weights.map((weight) => ({
      name: `${prefix}/${index}/${weight.originalName.split('/').pop()}`,
      variable: weight.read() as tf.Variable,
      trainable: weight.trainable,
    })),
  );
}

/**
 * A hidden layer's own arguments. Without batch normalization the layer applies its own ReLU: one layer
 * (one kernel launch, one weight index `prefix/layerIndex/…`) instead of two. With it the layer has no
 * bias; the normalization's shift stands in, and `normalizedRelu` follows.
 */
export function rectifiedArgs(batchNorm: boolean): { relu: boolean; useBias: boolean } {
  return batchNorm ? { relu: false, useBias: false } : { relu: true, useBias: true };
}

/**
 * What follows a hidden layer built with `rectifiedArgs`: batch normalization over the last axis and
 * then a ReLU, or nothing. In training the batch statistics also move the normalization's moving mean
 * and variance (non-trainable weights, saved with the model), which inference uses.
 */
export function normalizedRelu(batchNorm: boolean): LayerPlan[] {
  return batchNorm ? [{ kind: 'batchNorm' }, { kind: 'relu' }] : [];
}

/** A rectified dense hidden layer of `units`, normalized before its ReLU when `batchNorm` is on. */
export function rectifiedDense(units: number, seed: number, batchNorm: boolean): LayerPlan[] {
  return [{ kind: 'dense', units, seed, ...rectifiedArgs(batchNorm) }, ...normalizedRelu(batchNorm)];
}

/**
 * Runs a network eagerly on a concrete tensor. `training` matters only to batch normalization: true
 * normalizes by the batch's statistics and updates the moving averages, false uses the moving averages.
 */
export function run(net: tfl.LayersModel, x: tf.Tensor, training = false): tf.Tensor {
  return net.apply(x, { training }) as tf.Tensor;
}
