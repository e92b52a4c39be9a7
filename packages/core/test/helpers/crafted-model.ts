import { serializeModel } from '../../src/index.js';
import { decodeContainer, encodeContainer } from '../../src/internal.js';
import { createTinyModel, tinyConfig } from '../fixtures/tiny-model.mjs';

/** The header meta of a model file, as far as the crafted-file tests edit it. */
export interface ModelMeta {
  config: Record<string, unknown>;
  weights: { name: string; shape: number[]; dtype: string }[];
  vaekitFormat: number;
}

/** A valid model file of the tiny test model. */
export async function savedTinyModel(className: string): Promise<Uint8Array> {
  const model = createTinyModel(tinyConfig(className));
  try {
    return await serializeModel(model);
  } finally {
    model.dispose();
  }
}

/** A model file with its meta rewritten and both checksums recomputed: a crafted file, not a corrupt one. */
export async function craftedModelFile(className: string, edit: (meta: ModelMeta) => void): Promise<Uint8Array> {
  const container = await decodeContainer<ModelMeta>(await savedTinyModel(className), 'vaekit-model');
  const meta = structuredClone(container.header.meta);
  edit(meta);
  return encodeContainer('vaekit-model', meta, { weights: container.section('weights') });
}
