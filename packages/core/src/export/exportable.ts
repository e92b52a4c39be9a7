import type * as tfl from '@tensorflow/tfjs-layers';
import type * as tf from '@tensorflow/tfjs-core';
import type { VaeModel } from '../model.js';

/**
 * What the encoder network's output holds, per example, on its last axis:
 * - `gaussian`: the posterior's mean, then its log-variance (`latentDim` numbers each), then possibly
 *   more numbers the export leaves out (a flow's parameters);
 * - `code`: the code itself (a VQ-VAE's vectors before quantization).
 */
export type EncoderOutputLayout = { readonly kind: 'gaussian'; readonly latentDim: number } | { readonly kind: 'code' };

/**
 * The plain networks inside a model, as `exportModel` reads them. The networks are the model's own (not
 * copies): the export copies their layers and weights and never changes or disposes them.
 */
export interface ExportableNetworks {
  /** Sequential network from inputs [batch, ...inputShape]; batch normalization runs on its moving averages. */
  readonly encoder: tfl.LayersModel;
  /** What the encoder's output holds. */
  readonly encoderOutput: EncoderOutputLayout;
  /** Sequential network from codes to the likelihood's parameters, as `decode` returns them. */
  readonly decoder: tfl.LayersModel;
  /**
   * One code's shape as `encode` returns and `decode` takes it, when the networks work on it flattened
   * (a VQ-VAE's [numLatents, D]): the exported encoder's output is reshaped to it and the decoder takes it.
   */
  readonly codeShape?: readonly number[];
  /** The codebook [K, D] of a vector-quantized model: exported as an Embedding layer from code indices to vectors. */
  readonly codebook?: tf.Tensor2D;
  /** What the exported parts mean for this model where it differs from a plain VAE's (shown to users). */
  readonly notes: readonly string[];
}

/** A model that can hand its networks to `exportModel`. */
export interface ModelWithExport {
  /** Throws `ExportError` when the model's networks are not plain (the reason says which part and why). */
  exportableNetworks(): ExportableNetworks;
}

/** Whether `exportModel` can ask the model for its networks. */
export function hasExportableNetworks(model: VaeModel): model is VaeModel & ModelWithExport {
  return typeof (model as Partial<ModelWithExport>).exportableNetworks === 'function';
}
