import * as tfl from '@tensorflow/tfjs-layers';
import type { WeightSpec } from '@vaekit/core';

/** A weight a model of a config has, worked out without building it: what `variables()` will list. */
export interface PlannedWeight extends WeightSpec {
  readonly trainable: boolean;
}

/**
 * One layer of a sequential network, described as data. `buildNetwork` turns a plan into tfjs layers and
 * `planWeights` lists the weights those layers will have without creating any, so the two cannot drift.
 * Seeds are the kernels' Glorot-uniform seeds (biases start at 0).
 */
export type LayerPlan =
  | { readonly kind: 'dense'; readonly units: number; readonly relu: boolean; readonly useBias: boolean; readonly seed: number }
  | {
      readonly kind: 'conv2d' | 'conv2dTranspose';
      readonly filters: number;
      readonly kernelSize: number;
      /** 'same' padding throughout: conv2d divides each side by the stride (rounding up), its transpose multiplies. */
      readonly strides: number;
      readonly relu: boolean;
      readonly useBias: boolean;
      readonly seed: number;
    }
  /** Batch normalization over the last axis. */
  | { readonly kind: 'batchNorm' }
  | { readonly kind: 'relu' }
  | { readonly kind: 'reshape'; readonly targetShape: readonly number[] }
  | { readonly kind: 'flatten' };

/** A sequential network: the shape of one input example (no batch axis) and its layers in order. */
export interface NetworkPlan {
  readonly inputShape: readonly number[];
  readonly layers: readonly LayerPlan[];
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Builds a plan's layers with tfjs-layers; the first layer takes the plan's input shape. */
export function buildNetwork(plan: NetworkPlan): tfl.Sequential {
  const net = tfl.sequential();
  plan.layers.forEach((layer, index) => {
    const first = index === 0 ? { inputShape: [...plan.inputShape] } : {};
    net.add(createLayer(layer, first));
  });
  return net;
}

function createLayer(layer: LayerPlan, first: { inputShape?: number[] }): tfl.layers.Layer {
  switch (layer.kind) {
    case 'dense':
      return tfl.layers.dense({
        units: layer.units,
        kernelInitializer: tfl.initializers.glorotUniform({ seed: layer.seed }),
        ...(layer.relu ? { activation: 'relu' as const } : {}),
        ...(layer.useBias ? {} : { useBias: false }),
        ...first,
      });
    case 'conv2d':
    case 'conv2dTranspose': {
      const args = {
        filters: layer.filters,
        kernelSize: layer.kernelSize,
        strides: layer.strides,
        padding: 'same' as const,
        kernelInitializer: tfl.initializers.glorotUniform({ seed: layer.seed }),
        ...(layer.relu ? { activation: 'relu' as const } : {}),
        ...(layer.useBias ? {} : { useBias: false }),
        ...first,
      };
      return layer.kind === 'conv2d' ? tfl.layers.conv2d(args) : tfl.layers.conv2dTranspose(args);
    }
    case 'batchNorm':
      return tfl.layers.batchNormalization({ axis: -1, ...first });
    case 'relu':
      return tfl.layers.activation({ activation: 'relu', ...first });
    case 'reshape':
      return tfl.layers.reshape({ targetShape: [...layer.targetShape], ...first });
    case 'flatten':
      return tfl.layers.flatten(first);
  }
}

/**
 * The weights `buildNetwork(plan)` will have, as `namedLayerVariables(prefix, net)` names them
 * (`prefix/layerIndex/kernel`, tfjs's order within a layer), computed by carrying the example shape
 * through the layers. Creates no tensor; throws where building would (a convolution given inputs
 * that are not images).
 */
export function planWeights(prefix: string, plan: NetworkPlan): PlannedWeight[] {
  const weights: PlannedWeight[] = [];
  let shape: readonly number[] = plan.inputShape;
  plan.layers.forEach((layer, index) => {
    const add = (name: string, weightShape: readonly number[], trainable = true): void => {
      weights.push({ name: `${prefix}/${index}/${name}`, shape: [...weightShape], dtype: 'float32', trainable });
    };
    const last = shape[shape.length - 1]!;
    switch (layer.kind) {
      case 'dense':
        add('kernel', [last, layer.units]);
        if (layer.useBias) add('bias', [layer.units]);
        shape = [...shape.slice(0, -1), layer.units];
        break;
      case 'conv2d':
      case 'conv2dTranspose': {
        if (shape.length !== 3) throw new RangeError(`${prefix}: layer ${index} (${layer.kind}) needs [height, width, channels] inputs, got [${shape}]`);
        const transpose = layer.kind === 'conv2dTranspose';
        // tfjs keeps a transposed convolution's kernel as [k, k, outputChannels, inputChannels].
        add('kernel', transpose ? [layer.kernelSize, layer.kernelSize, layer.filters, last] : [layer.kernelSize, layer.kernelSize, last, layer.filters]);
        if (layer.useBias) add('bias', [layer.filters]);
        const side = (d: number): number => (transpose ? d * layer.strides : Math.ceil(d / layer.strides));
        shape = [side(shape[0]!), side(shape[1]!), layer.filters];
        break;
      }
      case 'batchNorm':
        add('gamma', [last]);
        add('beta', [last]);
        add('moving_mean', [last], false);
        add('moving_variance', [last], false);
        break;
      case 'relu':
        break;
      case 'reshape':
        // tfjs builds a reshape to a size other than its input's (it fails only when run), and the
        // layers after it take the target shape: so does this, to list what building gives.
        shape = layer.targetShape;
        break;
      case 'flatten':
        shape = [product(shape)];
        break;
    }
  });
  return weights;
}

/** The file's view of planned weights: name, shape and dtype only. */
export function asWeightSpecs(weights: readonly PlannedWeight[]): WeightSpec[] {
  return weights.map(({ name, shape, dtype }) => ({ name, shape, dtype }));
}
