import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { resolveLikelihoodConfig } from '../likelihood/registry.js';
import type { VaeModel } from '../model.js';
import { applyNetworkCopy, unitRange, type OutputSelection } from './copy-network.js';
import { decoderHead, type DecoderOutput } from './decoder-head.js';
import { ExportError } from './export-error.js';
import { resolvePartHandler, type ExportPart, type ExportTarget } from './export-target.js';
import { hasExportableNetworks, type ExportableNetworks } from './exportable.js';

/** What the exported encoder outputs: the posterior mean, or two outputs, its mean and its log-variance. */
export type EncoderOutput = 'mean' | 'mean-and-log-variance';

/** What `exportModel` writes for each part. */
export interface ExportOptions {
  /** Default `'mean'`. */
  readonly encoder?: EncoderOutput;
  /** Default `'mean'`: the likelihood's mean E[x | z], what vaekit's `decodeMean` returns. */
  readonly decoder?: DecoderOutput;
}

/** One LayersModel `exportModel` wrote. */
export interface ExportedPart {
  /** Which part: also its folder (or URL suffix) under the target. */
  readonly part: ExportPart;
  /** One example's input shape, without the batch axis. */
  readonly inputShape: number[];
  /** One example's shape per output, without the batch axis, in the model's output order. */
  readonly outputShapes: number[][];
  /** What the part computes, in a sentence. */
  readonly description: string;
  /** What the IO handler reported. */
  readonly saveResult: tf.io.SaveResult;
}

/** The parts `exportModel` wrote, in order, and what a deployment must know about them. */
export interface ExportResult {
  /** The encoder, the decoder, then (VQ-VAE) the codebook. */
  readonly parts: ExportedPart[];
  /** How this model's export differs from a plain VAE's, if it does. */
  readonly notes: readonly string[];
}

interface BuiltPart {
  readonly part: ExportPart;
  readonly model: tfl.LayersModel;
  readonly description: string;
}

/**
 * Writes a model's encoder and decoder (and a VQ-VAE's codebook) as TensorFlow.js LayersModels of built-in
 * layers only, each with its weights, so plain `tf.loadLayersModel` loads them without vaekit. The encoder
 * maps inputs to the posterior mean (and log-variance); the decoder maps codes to the likelihood's mean,
 * as `decodeMean` does. Throws `ExportError` for a model whose networks are not plain, and for a mean no
 * built-in layer computes (the message names the alternative). The model itself is left untouched.
 */
export async function exportModel(model: VaeModel, target: ExportTarget, options: ExportOptions = {}): Promise<ExportResult> {
  if (!hasExportableNetworks(model)) {
    throw new ExportError(`${model.className} does not expose plain networks to export (it has no exportableNetworks method)`);
  }
  const networks = model.exportableNetworks();
  // Resolve every destination first, so a bad URL fails before anything is built or written.
  const parts: ExportPart[] = networks.codebook ? ['encoder', 'decoder', 'codebook'] : ['encoder', 'decoder'];
  const handlers = new Map(parts.map((part) => [part, resolvePartHandler(target, part)] as const));
  const built: BuiltPart[] = [];
  try {
    built.push(buildEncoder(model, networks, options.encoder ?? 'mean'));
    built.push(buildDecoder(model, networks, options.decoder ?? 'mean'));
    if (networks.codebook) built.push(buildCodebook(networks.codebook));
    const written: ExportedPart[] = [];
    for (const { part, model: layersModel, description } of built) {
      const saveResult = await layersModel.save(handlers.get(part)!);
      written.push({
        part,
        inputShape: layersModel.inputs[0]!.shape.slice(1) as number[],
        outputShapes: layersModel.outputs.map((output) => output.shape.slice(1) as number[]),
        description,
        saveResult,
      });
    }
    return { parts: written, notes: networks.notes };
  } finally {
    for (const { model: layersModel } of built) layersModel.dispose();
  }
}

function buildEncoder(model: VaeModel, networks: ExportableNetworks, output: EncoderOutput): BuiltPart {
  const input = tfl.input({ shape: [...model.inputShape] });
  const layout = networks.encoderOutput;
  if (layout.kind === 'code') {
    if (output !== 'mean') {
      throw new ExportError(`${model.className}'s encoder emits codes, not a Gaussian: it has no log-variance to export; use encoder output 'mean'`);
    }
    const [flat] = applyNetworkCopy(networks.encoder, input);
    const code = networks.codeShape ? (tfl.layers.reshape({ targetShape: [...networks.codeShape] }).apply(flat!) as tfl.SymbolicTensor) : flat;
    return { part: 'encoder', model: tfl.model({ inputs: input, outputs: code! }), description: `${model.className}'s encoder: the code before quantization` };
  }
  const mean: OutputSelection = { keep: () => unitRange(0, layout.latentDim) };
  const logVariance: OutputSelection = { keep: () => unitRange(layout.latentDim, layout.latentDim) };
  const outputs = applyNetworkCopy(networks.encoder, input, output === 'mean' ? [mean] : [mean, logVariance]);
  const description =
    output === 'mean' ? "the posterior q(z | x)'s mean" : "two outputs: the posterior q(z | x)'s mean, then its log-variance";
  return { part: 'encoder', model: tfl.model({ inputs: input, outputs }), description };
}

function buildDecoder(model: VaeModel, networks: ExportableNetworks, output: DecoderOutput): BuiltPart {
  const config = resolveLikelihoodConfig((model.getConfig() as { likelihood?: unknown }).likelihood ?? { type: 'bernoulli' });
  const globalScale = model.variables().find((v) => v.name === 'likelihood/logScale');
  const head = decoderHead(
    {
      config,
      paramsPerValue: model.likelihood?.paramsPerValue ?? 1,
      inputShape: model.inputShape,
      ...(globalScale ? { globalLogScale: globalScale.variable.dataSync()[0]! } : {}),
    },
    output,
  );
  const flatShape = networks.decoder.inputs[0]!.shape.slice(1) as number[];
  const input = tfl.input({ shape: networks.codeShape ? [...networks.codeShape] : flatShape });
  const flat = networks.codeShape ? (tfl.layers.reshape({ targetShape: flatShape }).apply(input) as tfl.SymbolicTensor) : input;
  const [params] = applyNetworkCopy(networks.decoder, flat, [head.selection]);
  return { part: 'decoder', model: tfl.model({ inputs: input, outputs: head.finish(params!) }), description: head.description };
}

/** An Embedding layer whose weight is the codebook: code indices [batch, n] to vectors [batch, n, D]. */
function buildCodebook(codebook: tf.Tensor2D): BuiltPart {
  const [size, dim] = codebook.shape;
  const input = tfl.input({ shape: [null], dtype: 'int32' });
  const layer = tfl.layers.embedding({ inputDim: size, outputDim: dim });
  const output = layer.apply(input) as tfl.SymbolicTensor;
  layer.setWeights([codebook]);
  return { part: 'codebook', model: tfl.model({ inputs: input, outputs: output }), description: `the codebook: code indices to their ${dim}-number vectors (${size} codes)` };
}
