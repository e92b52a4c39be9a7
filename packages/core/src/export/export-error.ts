/** A model, or a part of it, that cannot be written as a plain TensorFlow.js LayersModel, with the reason. */
export class ExportError extends Error {
  /** Set on the instance so the name survives bundlers that rename classes. */
  override readonly name = 'ExportError';
}
