import { beforeAll, describe, expect, it } from 'vitest';
import * as core from '../src/index.js';
import { CorruptFileError, deserializeModel } from '../src/index.js';
import { decodeContainer, MODEL_FORMAT } from '../src/internal.js';
import { CHECKED_CLASS, registerTinyModels } from './fixtures/tiny-model.mjs';
import { craftedModelFile, savedTinyModel, type ModelMeta } from './helpers/crafted-model.js';
import { useCpu } from '@vaekit/test-utils';

beforeAll(async () => {
  await useCpu();
  registerTinyModels(core);
});

/** What loading a model file with its format field rewritten throws (a model that loads is disposed). */
async function loadWithFormat(format: unknown): Promise<unknown> {
  const bytes = await craftedModelFile(CHECKED_CLASS, (meta) => {
    if (format === undefined) delete (meta as Partial<ModelMeta>).vaekitFormat;
    else (meta as { vaekitFormat: unknown }).vaekitFormat = format;
  });
  try {
    (await deserializeModel(bytes, 'm.vaekit')).dispose();
    return null;
  } catch (error) {
    return error;
  }
}

describe('the model-file format version', () => {
  it('is written into every model file, as the format this vaekit reads', async () => {
    const container = await decodeContainer<ModelMeta>(await savedTinyModel(CHECKED_CLASS), 'vaekit-model');
    expect(container.header.meta.vaekitFormat).toBe(MODEL_FORMAT);
    expect(await loadWithFormat(MODEL_FORMAT)).toBeNull();
  });

  it('refuses a file of a newer format, saying to upgrade vaekit', async () => {
    const error = await loadWithFormat(MODEL_FORMAT + 1);
    expect(CorruptFileError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      `m.vaekit is a model file of format ${MODEL_FORMAT + 1}, written by a newer vaekit; this one reads ` +
        `format ${MODEL_FORMAT}: upgrade vaekit to load it`,
    );
  });

  it('refuses a missing or unknown format as one no vaekit writes', async () => {
    const cases: [unknown, string][] = [
      [undefined, 'no model format'],
      [0, 'model format 0'],
      [-3, 'model format -3'],
      [1.5, 'model format 1.5'],
      ['1', 'model format "1"'],
      [null, 'model format null'],
    ];
    for (const [format, described] of cases) {
      const error = await loadWithFormat(format);
      expect(CorruptFileError.isInstance(error), String(error)).toBe(true);
      expect((error as Error).message).toBe(`m.vaekit has ${described}, which no vaekit writes (this one reads format ${MODEL_FORMAT})`);
    }
  });
});
