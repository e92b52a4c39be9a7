import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '@vaekit/test-utils';
import pngjs from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageDataset, DataError } from '../src/index.js';
import { loadPngFolder, pngFolderDataset } from '../src/node/index.js';

beforeAll(useCpu);
const dir = mkdtempSync(join(tmpdir(), 'vaekit-png-dataset-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A folder of `count` 4x3 RGB images with varied colours, named img0.png ... */
function colourFolder(count: number): string {
  const folder = mkdtempSync(join(dir, 'images-'));
  for (let n = 0; n < count; n++) {
    const png = new pngjs.PNG({ width: 4, height: 3 });
    png.data = Buffer.from(Array.from({ length: 4 * 12 }, (_, i) => (i % 4 === 3 ? 255 : (n * 53 + i * 17) % 256)));
    writeFileSync(join(folder, `img${n}.png`), pngjs.PNG.sync.write(png, { colorType: 2 }));
  }
  return folder;
}

async function values(batch: tf.Tensor | Promise<tf.Tensor>): Promise<{ shape: number[]; data: number[] }> {
  const t = await batch;
  try {
    return { shape: t.shape, data: Array.from(await t.data()) };
  } finally {
    t.dispose();
  }
}

describe('pngFolderDataset', () => {
  it('gives the same batches as the folder loaded whole, decoding only what each batch asks for', async () => {
    const folder = colourFolder(6);
    const loaded = loadPngFolder(folder, { channels: 3 });
    for (const binarization of ['none', 'dynamic', 'static'] as const) {
      const lazy = pngFolderDataset(folder, { channels: 3, binarization, seed: 4 });
      const eager = createImageDataset({ images: loaded.data, count: 6, exampleShape: [3, 4, 3], binarization, seed: 4 });
      expect([lazy.size, lazy.exampleShape]).toEqual([6, [3, 4, 3]]);
      const before = tf.memory().numTensors;
      const got = await values(lazy.batch([5, 0, 2], 11));
      expect(got).toEqual(await values(eager.batch([5, 0, 2], 11)));
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('reads files at batch time: a removed file fails only the batches that need it, leaving no tensor', async () => {
    const folder = colourFolder(4);
    const lazy = pngFolderDataset(folder, { exampleShape: [12] });
    rmSync(join(folder, 'img3.png'));
    expect((await values(lazy.batch([0, 1], 0))).shape).toEqual([2, 12]);
    const before = tf.memory().numTensors;
    const failed = Promise.resolve(lazy.batch([2, 3], 0));
    await expect(failed).rejects.toThrow(DataError);
    await expect(failed).rejects.toThrow(/cannot read .*img3.png/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is not bound by the folder limit, which only applies to folders loaded whole', async () => {
    const folder = colourFolder(3);
    expect(() => loadPngFolder(folder, { channels: 3, maxFolderPixels: 50 })).toThrow(/over the limit of 50/);
    const lazy = pngFolderDataset(folder, { channels: 3, limits: { maxFolderPixels: 50 } });
    expect((await values(lazy.batch([0, 1, 2], 0))).shape).toEqual([3, 3, 4, 3]);
    expect(() => pngFolderDataset(folder, { limits: { maxPixels: 5 } })).toThrow(/img0.png is 4x3 pixels, over the limit of 5 pixels/);
  });

  it('refuses bad options and indices with clear messages', async () => {
    const folder = colourFolder(2);
    expect(() => pngFolderDataset(folder, { channels: 2 as 3 })).toThrow(/channels must be 1 \(grey\), 3 \(RGB\) or 4 \(RGBA\), got 2/);
    expect(() => pngFolderDataset(folder, { exampleShape: [7] })).toThrow(/exampleShape \[7\] does not hold the 12 values of a \[3, 4, 1\] image/);
    expect(() => pngFolderDataset(folder, { binarization: 'sometimes' as 'none' })).toThrow(/unknown binarization 'sometimes'/);
    await expect(Promise.resolve(pngFolderDataset(folder).batch([2], 0))).rejects.toThrow(/example index 2 is outside \[0, 2\)/);
  });
});
