import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ExportError } from './export-error.js';

/** Which outputs of a network's last weighted layer a copy keeps. */
export interface OutputSelection {
  /** The output units (dense) or filters (convolutions) to keep, in order, given how many the layer has. */
  keep(unitCount: number): number[];
  /** The target shape of the reshape after that layer, if it has one: the kept units' example shape. */
  readonly reshapeTo?: readonly number[];
}

type LayerConfig = tf.serialization.ConfigDict;

/** The axis of each weighted layer's kernel that holds its output units. */
const KERNEL_OUTPUT_AXIS: Readonly<Record<string, { axis: number; unitsField: string }>> = {
  Dense: { axis: 1, unitsField: 'units' },
  Conv2D: { axis: 3, unitsField: 'filters' },
  // tfjs keeps a transposed convolution's kernel as [k, k, outputChannels, inputChannels].
  Conv2DTranspose: { axis: 2, unitsField: 'filters' },
};

/** A new built-in layer of the same class and configuration, under a fresh name. */
function cloneLayer(layer: tfl.layers.Layer, changes: LayerConfig = {}): tfl.layers.Layer {
  const className = layer.getClassName();
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (!entry) throw new ExportError(`layer class ${className} is not registered with tfjs-layers, so plain TensorFlow.js could not load it`);
  const config: LayerConfig = { ...layer.getConfig(), ...changes };
  // Weights are copied after building: initializing them first would only spend time.
  for (const field of ['name', 'batchInputShape', 'inputShape']) delete config[field];
  if ('kernelInitializer' in config) config['kernelInitializer'] = 'zeros';
  const [cls, fromConfig] = entry;
  return fromConfig(cls, config) as tfl.layers.Layer;
}

function copyWeights(from: tfl.layers.Layer, to: tfl.layers.Layer, kept?: readonly number[]): void {
  tf.tidy(() => {
    const weights = from.getWeights();
    if (!kept) {
      to.setWeights(weights);
      return;
    }
    const { axis } = KERNEL_OUTPUT_AXIS[from.getClassName()]!;
    const indices = tf.tensor1d([...kept], 'int32');
    // The kernel first, then the bias (tfjs's order for these layers).
    to.setWeights(weights.map((weight, index) => tf.gather(weight, indices, index === 0 ? axis : 0)));
  });
}

/**
 * Applies copies of a sequential network's layers, with its current weights, to `input`. With
 * `selections`, the layers up to the last weighted one are applied once, and that layer and the ones
 * after it once per selection, each keeping only the selected outputs: one output per selection.
 */
export function applyNetworkCopy(
  net: tfl.LayersModel,
  input: tfl.SymbolicTensor,
  selections: readonly (OutputSelection | undefined)[] = [undefined],
): tfl.SymbolicTensor[] {
  const layers = net.layers.filter((layer) => layer.getClassName() !== 'InputLayer');
  const lastWeighted = layers.map((layer) => layer.weights.length > 0).lastIndexOf(true);
  const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor, selection?: OutputSelection, isHead = false): tfl.SymbolicTensor => {
    let changes: LayerConfig = {};
    let kept: number[] | undefined;
    if (selection && isHead) {
      const target = KERNEL_OUTPUT_AXIS[layer.getClassName()];
      if (!target) throw new ExportError(`cannot select outputs of a ${layer.getClassName()} layer (only Dense and convolutions)`);
      kept = selection.keep(layer.getConfig()[target.unitsField] as number);
      changes = { [target.unitsField]: kept.length };
    } else if (selection?.reshapeTo && layer.getClassName() === 'Reshape') {
      changes = { targetShape: [...selection.reshapeTo] };
    }
    const copy = cloneLayer(layer, changes);
    const output = copy.apply(x) as tfl.SymbolicTensor;
    copyWeights(layer, copy, kept);
    return output;
  };
  let body = input;
  layers.slice(0, Math.max(lastWeighted, 0)).forEach((layer) => {
    body = apply(layer, body);
  });
  if (lastWeighted < 0) return selections.map(() => body);
  return selections.map((selection) => {
    let x = apply(layers[lastWeighted]!, body, selection, true);
    for (const layer of layers.slice(lastWeighted + 1)) x = apply(layer, x, selection);
    return x;
  });
}

/** Units [start, start + count). */
export function unitRange(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}
