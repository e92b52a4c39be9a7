import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pngjs from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../src/index.js';
import { decodePngGray, loadPngFolder } from '../src/node/index.js';
import { deflatedZeros, grayPng, pngFile } from './helpers/png-bytes.js';

const dir = mkdtempSync(join(tmpdir(), 'vaekit-png-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Expects a one-line DataError matching `pattern`. */
function expectDataError(run: () => unknown, pattern: RegExp): void {
  let error: unknown = null;
  try {
    run();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DataError);
  expect((error as Error).message).toMatch(pattern);
  expect((error as Error).message).not.toMatch(/\n/);
}

describe('PNG size limits, checked from the header before decoding', () => {
  it('refuses an image over the size limits from its IHDR alone', () => {
    const idat = new Uint8Array([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    expectDataError(() => decodePngGray(pngFile({ width: 100_000, height: 100_000 }, idat), 'huge.png'), /^huge.png is 100000x100000 pixels, over the limit of 16384 on a side; use smaller images$/);
    expectDataError(() => decodePngGray(pngFile({ width: 20_000, height: 1 }, idat), 'wide.png'), /wide.png is 20000x1 pixels, over the limit of 16384 on a side/);
    expectDataError(() => decodePngGray(pngFile({ width: 4096, height: 2048 }, idat), 'big.png'), /big.png is 4096x2048 pixels, over the limit of 4194304 pixels/);
    expectDataError(() => decodePngGray(pngFile({ width: 28, height: 28 }, idat), 'x.png', { maxPixels: 100 }), /x.png is 28x28 pixels, over the limit of 100 pixels/);
  });

  it('refuses headers that are not a PNG image header, with one line', () => {
    expectDataError(() => decodePngGray(pngFile({ width: 0, height: 5 }, new Uint8Array(0)), 'zero.png'), /zero.png is not a readable PNG: its header declares 0x5 pixels/);
    expectDataError(() => decodePngGray(pngFile({ width: 4, height: 4, colorType: 5 }, new Uint8Array(0)), 'c.png'), /c.png is not a readable PNG: color type 5 with bit depth 8/);
    expectDataError(() => decodePngGray(pngFile({ width: 4, height: 4, bitDepth: 16, colorType: 3 }, new Uint8Array(0)), 'p.png'), /color type 3 with bit depth 16/);
    expectDataError(() => decodePngGray(Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), 'cut.png'), /cut.png is not a readable PNG: it ends before its header/);
    expectDataError(() => decodePngGray(Buffer.from('GIF89a....................................'), 'gif.png'), /gif.png is not a readable PNG: no PNG signature/);
  });

  it('refuses an interlaced image whose data inflates past the size its header declares', async () => {
    const bomb = pngFile({ width: 8, height: 8, interlace: 1 }, await deflatedZeros(64 * 1024 * 1024));
    expect(bomb.byteLength).toBeLessThan(100_000);
    expectDataError(() => decodePngGray(bomb, 'bomb.png'), /^bomb.png is corrupt: its image data inflates past the \d+ bytes its 8x8 pixels need/);
  });

  it('still decodes interlaced and plain images, 8- and 16-bit, gray and color, with and without alpha', () => {
    const pixels = Uint8Array.from({ length: 13 * 7 }, (_, i) => (i * 37) % 256);
    for (const interlace of [0, 1] as const) {
      const image = decodePngGray(grayPng(pixels, 13, 7, interlace), 'g.png');
      expect([image.width, image.height]).toEqual([13, 7]);
      expect(Array.from(image.data, (v) => Math.round(v * 255))).toEqual(Array.from(pixels));
    }
    for (const [colorType, bitDepth] of [[0, 16], [2, 8], [2, 16], [4, 8], [6, 16]] as const) {
      const png = new pngjs.PNG({ width: 3, height: 2 });
      png.data = Buffer.from(Array.from({ length: 24 }, (_, i) => (i % 4 === 3 ? 255 : i * 10)));
      const bytes = pngjs.PNG.sync.write(png, { colorType, bitDepth });
      const image = decodePngGray(bytes, 'c.png');
      expect([image.width, image.height, image.data.length]).toEqual([3, 2, 6]);
    }
  });

  it('checks a folder from every header before decoding any: sizes, and the pixels of all images together', () => {
    const folder = mkdtempSync(join(dir, 'many-'));
    const pixels = new Uint8Array(16).fill(255);
    for (let i = 0; i < 3; i++) writeFileSync(join(folder, `img${i}.png`), grayPng(pixels, 4, 4, 0));
    expect(loadPngFolder(folder).count).toBe(3);
    expectDataError(() => loadPngFolder(folder, { maxFolderPixels: 40 }), /holds 3 images of 4x4, 48 pixels in all, over the limit of 40/);
    // A later file's size is refused from its header: the first two were never decoded.
    writeFileSync(join(folder, 'img9.png'), pngFile({ width: 100_000, height: 100_000 }, new Uint8Array(0)));
    expectDataError(() => loadPngFolder(folder), /img9.png is 100000x100000 pixels, over the limit/);
    rmSync(join(folder, 'img9.png'));
    writeFileSync(join(folder, 'img8.png'), grayPng(new Uint8Array(10), 5, 2, 0));
    expectDataError(() => loadPngFolder(folder), /must be the same size: img0.png is 4x4, img8.png is 5x2/);
  });
});
