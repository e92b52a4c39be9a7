import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LikelihoodConfig } from '../likelihood/types.js';
import type { OutputSelection } from './copy-network.js';
import { ExportError } from './export-error.js';

/** What the exported decoder outputs: the likelihood's mean, or its parameters exactly as `decode` returns them. */
export type DecoderOutput = 'mean' | 'parameters';

/** How the decoder's copy ends: which of its outputs it keeps, the built-in layers after them, and what that computes. */
export interface DecoderHead {
  readonly selection?: OutputSelection;
  finish(x: tfl.SymbolicTensor): tfl.SymbolicTensor;
  readonly description: string;
}

/** What the head needs to know about the model's likelihood. */
export interface LikelihoodFacts {
  readonly config: LikelihoodConfig;
  readonly paramsPerValue: number;
  readonly inputShape: readonly number[];
  /** The value of a learned global log-scale (`likelihood/logScale`), if the likelihood has one. */
  readonly globalLogScale?: number;
}

const identity = (x: tfl.SymbolicTensor): tfl.SymbolicTensor => x;

/**
 * The decoder's head for `output`. Only tfjs-layers' built-in layers are used, so plain TensorFlow.js
 * loads the result; a mean no built-in layer can compute is an `ExportError` naming `'parameters'`.
 */
export function decoderHead(facts: LikelihoodFacts, output: DecoderOutput): DecoderHead {
  const { type } = facts.config;
  if (output === 'parameters') {
    return { finish: identity, description: `the ${type} likelihood's parameters, as vaekit's decode returns them` };
  }
  switch (type) {
    case 'bernoulli':
      return { finish: (x) => activation('sigmoid', x), description: 'the Bernoulli mean: sigmoid of the logits, in [0, 1]' };
    case 'gaussian':
    case 'laplace':
      return { ...locationOnly(facts), finish: identity, description: `the ${type} mean: its location` };
    case 'discretized-logistic':
      return discretizedLogisticHead(facts);
    default:
      throw new ExportError(
        `the ${type} likelihood's mean has no equivalent in tfjs-layers' built-in layers; export the decoder with ` +
          `decoder output 'parameters' (the decoder's raw ${type} parameters) and apply the mean in your code`,
      );
  }
}

/**
 * With a per-value scale the decoder emits [location, log-scale] per value, the pair innermost: both a
 * dense output layer's units and a convolution's filters count pairs, so every k-th unit is a location.
 */
function locationOnly(facts: LikelihoodFacts): { selection?: OutputSelection } {
  const k = facts.paramsPerValue;
  if (k === 1) return {};
  const keep = (unitCount: number): number[] => Array.from({ length: unitCount / k }, (_, i) => i * k);
  return { selection: { keep, reshapeTo: facts.inputShape } };
}

/** The clipped logistic's mean s·softplus(μ/s) − s·softplus((μ−1)/s), for one scale s shared by every value. */
function discretizedLogisticHead(facts: LikelihoodFacts): DecoderHead {
  const mode = facts.config['scale'];
  if (mode === 'learned-per-pixel') {
    throw new ExportError(
      "the discretized-logistic mean with a learned-per-pixel scale divides by each value's scale, which no tfjs-layers " +
        "built-in layer does; export with decoder output 'parameters' (location and log-scale per value) and compute " +
        's·softplus(μ/s) − s·softplus((μ−1)/s) with μ = location + 0.5 and s = max(exp(logScale + log(scale)), minS) in your code',
    );
  }
  const fixed = facts.config['s'] as number;
  const minimum = facts.config['minS'] as number;
  const s = mode === 'learned-global' ? Math.max(Math.exp(facts.globalLogScale ?? Math.log(fixed)), minimum) : fixed;
  const shape = [...facts.inputShape];
  return {
    description: `the discretized-logistic mean s·softplus(μ/s) − s·softplus((μ−1)/s), s = ${s}`,
    finish: (x) => {
      // One value per row of a last axis of 1, so a Dense layer of width 1 or 2 acts on each value alone.
      const perValue = tfl.layers.reshape({ targetShape: [...shape, 1] }).apply(x) as tfl.SymbolicTensor;
      const scaled = tfl.layers.dense({ units: 2 });
      const both = scaled.apply(perValue) as tfl.SymbolicTensor;
      // The decoder's output is the location's offset from 0.5: μ/s = (output + 0.5)/s, (μ−1)/s = (output − 0.5)/s.
      tf.tidy(() => scaled.setWeights([tf.tensor2d([[1 / s, 1 / s]]), tf.tensor1d([0.5 / s, -0.5 / s])]));
      const softplus = activation('softplus', both);
      const difference = tfl.layers.dense({ units: 1, useBias: false });
      const mean = difference.apply(softplus) as tfl.SymbolicTensor;
      tf.tidy(() => difference.setWeights([tf.tensor2d([[s], [-s]])]));
      return tfl.layers.reshape({ targetShape: shape }).apply(mean) as tfl.SymbolicTensor;
    },
  };
}

function activation(name: 'sigmoid' | 'softplus', x: tfl.SymbolicTensor): tfl.SymbolicTensor {
  return tfl.layers.activation({ activation: name }).apply(x) as tfl.SymbolicTensor;
}
