import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { NamedVariable } from '@vaekit/core';

/** Encoder/decoder body: a multilayer perceptron or a small strided-convolution stack. */
export type ArchitectureConfig =
  | { readonly type: 'mlp'; readonly hiddenUnits: readonly number[] }
  | { readonly type: 'conv'; readonly filters: readonly number[]; readonly kernelSize: number; readonly denseUnits: number };

export const DEFAULT_ARCHITECTURE: ArchitectureConfig = { type: 'mlp', hiddenUnits: [512, 512] };

/** Seeded Glorot initialization: the same config and seed give the same weights on every backend. */
function init(seed: number): ReturnType<typeof tfl.initializers.glorotUniform> {
  return tfl.initializers.glorotUniform({ seed });
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Options for `buildEncoder`. */
export interface EncoderOptions {
  /**
   * Batch-normalize every hidden layer's pre-activation (Ioffe and Szegedy 2015). Such a network must be
   * run with `run(net, x, training)`: batch statistics in training, moving averages otherwise.
   */
  readonly batchNorm?: boolean;
}

/** Maps inputs of `inputShape` to `outputUnits` numbers per example (e.g. mean and log-variance). */
export function buildEncoder(
  architecture: ArchitectureConfig,
  inputShape: readonly number[],
  outputUnits: number,
  seed: number,
  options: EncoderOptions = {},
): tfl.Sequential {
  const net = tfl.sequential();
  const batchNorm = options.batchNorm ?? false;
  let s = seed;
  if (architecture.type === 'mlp') {
    // Flat inputs need no reshape layer: each layer is a kernel launch forward and backward.
    const flat = inputShape.length === 1;
    if (!flat) net.add(tfl.layers.reshape({ targetShape: [product(inputShape)], inputShape: [...inputShape] }));
    architecture.hiddenUnits.forEach((units, i) => {
      const first = flat && i === 0 ? { inputShape: [...inputShape] } : {};
      net.add(tfl.layers.dense({ units, kernelInitializer: init(s++), ...first, ...rectifiedArgs(batchNorm) }));
      finishRectified(net, batchNorm);
    });
  } else {
    const [height, width] = convInputShape(inputShape, architecture.filters.length);
    net.add(tfl.layers.reshape({ targetShape: [height, width, inputShape[2] ?? 1], inputShape: [...inputShape] }));
    for (const filters of architecture.filters) {
      net.add(
        tfl.layers.conv2d({
          filters,
          kernelSize: architecture.kernelSize,
          strides: 2,
          padding: 'same',
          kernelInitializer: init(s++),
          ...rectifiedArgs(batchNorm),
        }),
      );
      finishRectified(net, batchNorm);
    }
    net.add(tfl.layers.flatten());
    net.add(tfl.layers.dense({ units: architecture.denseUnits, kernelInitializer: init(s++), ...rectifiedArgs(batchNorm) }));
    finishRectified(net, batchNorm);
  }
  const firstLayer = net.layers.length === 0 ? { inputShape: [...inputShape] } : {};
  net.add(tfl.layers.dense({ units: outputUnits, kernelInitializer: init(s++), ...firstLayer }));
  return net;
}

/** Maps latent codes of `latentUnits` to `outputShape` likelihood parameters per example. */
export function buildDecoder(
  architecture: ArchitectureConfig,
  latentUnits: number,
  outputShape: readonly number[],
  seed: number,
): tfl.Sequential {
  const net = tfl.sequential();
  let s = seed;
  if (architecture.type === 'mlp') {
    architecture.hiddenUnits.forEach((units, i) => {
      net.add(
        tfl.layers.dense({
          units,
          activation: 'relu',
          kernelInitializer: init(s++),
          ...(i === 0 ? { inputShape: [latentUnits] } : {}),
        }),
      );
    });
    const firstLayer = net.layers.length === 0 ? { inputShape: [latentUnits] } : {};
    net.add(tfl.layers.dense({ units: product(outputShape), kernelInitializer: init(s++), ...firstLayer }));
    if (outputShape.length > 1) net.add(tfl.layers.reshape({ targetShape: [...outputShape] }));
    return net;
  }
  const levels = architecture.filters.length;
  const [height, width] = convInputShape(outputShape, levels);
  const channelsOut = product(outputShape.slice(2));
  const reversed = [...architecture.filters].reverse();
  const baseH = height / 2 ** levels;
  const baseW = width / 2 ** levels;
  net.add(tfl.layers.dense({ units: architecture.denseUnits, activation: 'relu', inputShape: [latentUnits], kernelInitializer: init(s++) }));
  net.add(tfl.layers.dense({ units: baseH * baseW * reversed[0]!, activation: 'relu', kernelInitializer: init(s++) }));
  net.add(tfl.layers.reshape({ targetShape: [baseH, baseW, reversed[0]!] }));
  reversed.forEach((_, i) => {
    const last = i === reversed.length - 1;
    net.add(
      tfl.layers.conv2dTranspose({
        filters: last ? channelsOut : reversed[i + 1]!,
        kernelSize: architecture.kernelSize,
        strides: 2,
        padding: 'same',
        ...(last ? {} : { activation: 'relu' as const }),
        kernelInitializer: init(s++),
      }),
    );
  });
  net.add(tfl.layers.reshape({ targetShape: [...outputShape] }));
  return net;
}

/** Convolutions need [height, width, channels?] inputs whose sides halve cleanly at every level. */
function convInputShape(shape: readonly number[], levels: number): [number, number] {
  const [height, width] = shape;
  if (shape.length < 2 || height === undefined || width === undefined) {
    throw new RangeError(
      `a convolutional network needs image-shaped inputs [height, width, channels], got [${shape}]; use --input-shape 28,28,1 or an MLP`,
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
 * Arguments for a hidden layer followed by `finishRectified`. Without batch normalization the layer
 * applies its own ReLU: one layer, so weight names (`prefix/layerIndex/…`) stay those of files saved
 * before batch normalization existed. With it the layer has no bias; the normalization's shift stands in.
 */
export function rectifiedArgs(batchNorm: boolean): { useBias: false } | { activation: 'relu' } {
  return batchNorm ? { useBias: false } : { activation: 'relu' };
}

/** What follows a hidden layer built with `rectifiedArgs`: batch normalization and the ReLU, or nothing. */
export function finishRectified(net: tfl.Sequential, batchNorm: boolean): void {
  if (batchNorm) addNormalizedRelu(net);
}

/**
 * Batch normalization over the last axis, then a ReLU. In training its batch statistics also move the
 * layer's moving mean and variance (non-trainable weights, saved with the model), which inference uses.
 */
export function addNormalizedRelu(net: tfl.Sequential): void {
  net.add(tfl.layers.batchNormalization({ axis: -1 }));
  net.add(tfl.layers.activation({ activation: 'relu' }));
}

/**
 * Runs a network eagerly on a concrete tensor. `training` matters only to batch normalization: true
 * normalizes by the batch's statistics and updates the moving averages, false uses the moving averages.
 */
export function run(net: tfl.LayersModel, x: tf.Tensor, training = false): tf.Tensor {
  return net.apply(x, { training }) as tf.Tensor;
}
