import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pngjs from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, tileImages } from '../src/index.js';
import { encodePng, loadPngFolder, writePng } from '../src/node/index.js';

const dir = mkdtempSync(join(tmpdir(), 'vaekit-data-png-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Write a PNG with pngjs from RGBA bytes, in the given output color type. */
function writeRgba(path: string, width: number, height: number, rgba: number[], colorType: 0 | 2 | 4 | 6): void {
  const png = new pngjs.PNG({ width, height });
  png.data = Buffer.from(rgba);
  writeFileSync(path, pngjs.PNG.sync.write(png, { colorType }));
}

describe('tileImages', () => {
  it('lays tiles in a grid with padding lines', () => {
    const images = new Float32Array(5 * 2 * 3).fill(1);
    const grid = tileImages(images, 5, 2, 3, { columns: 3, padding: 1 });
    expect(grid.width).toBe(3 * 3 + 2);
    expect(grid.height).toBe(2 * 2 + 1);
    expect(grid.pixels.length).toBe(grid.width * grid.height);
    expect(grid.pixels[0]).toBe(255);
    expect(grid.pixels[3]).toBe(191); // the vertical line after the first tile
    expect(grid.pixels[2 * grid.width]).toBe(191); // the horizontal line under the first row
    expect(grid.pixels[grid.pixels.length - 1]).toBe(0); // the empty sixth cell
  });

  it('clamps values and defaults to a near-square grid', () => {
    const grid = tileImages(Float32Array.from([-1, 0.5, 2, Number.NaN]), 4, 1, 1, { padding: 0 });
    expect(grid.width).toBe(2);
    expect(Array.from(grid.pixels)).toEqual([0, 128, 255, 0]);
    expect(tileImages(new Float32Array(3), 3, 1, 1, { columns: 8, padding: 2 }).width).toBe(3 + 2 * 2);
    expect(() => tileImages(new Float32Array(3), 2, 1, 1)).toThrow(RangeError);
  });
});

describe('encodePng and writePng', () => {
  it('round-trips through pngjs decoding', () => {
    const grid = tileImages(Float32Array.from({ length: 4 * 28 * 28 }, (_, i) => (i % 29) / 28), 4, 28, 28, { columns: 2 });
    const path = join(dir, 'grid.png');
    writePng(path, grid);
    const decoded = pngjs.PNG.sync.read(readFileSync(path));
    expect(decoded.width).toBe(grid.width);
    expect(decoded.height).toBe(grid.height);
    expect(decoded.colorType).toBe(0);
    const gray = Uint8Array.from({ length: grid.width * grid.height }, (_, i) => decoded.data[4 * i] as number);
    expect(gray).toEqual(grid.pixels);
    // Only the final file is left behind: the temporary one was renamed.
    expect(readdirSync(dir).filter((name) => name.includes('grid'))).toEqual(['grid.png']);
  });

  it('rejects a pixel count that does not match the size', () => {
    expect(() => encodePng(new Uint8Array(5), 2, 2)).toThrow(RangeError);
  });

  it('leaves no temporary file when the final rename fails', () => {
    // A non-empty folder where the PNG should go: the temporary file is written, the rename refused.
    const folder = mkdtempSync(join(dir, 'rename-'));
    mkdirSync(join(folder, 'taken.png'));
    writeFileSync(join(folder, 'taken.png', 'keep'), '');
    expect(() => writePng(join(folder, 'taken.png'), { pixels: new Uint8Array(1), width: 1, height: 1 })).toThrow();
    expect(readdirSync(folder)).toEqual(['taken.png']);
  });
});

describe('loadPngFolder', () => {
  it('loads gray, RGB and RGBA files as grayscale in [0, 1], sorted by name', () => {
    const folder = mkdtempSync(join(dir, 'digits-'));
    // 2x1 images; names sort numerically (2 before 10).
    writeRgba(join(folder, 'img10.png'), 2, 1, [255, 255, 255, 255, 0, 0, 0, 255], 0);
    writeRgba(join(folder, 'img2.png'), 2, 1, [255, 0, 0, 255, 0, 0, 255, 255], 2);
    writeRgba(join(folder, 'img3.png'), 2, 1, [255, 255, 255, 0, 102, 102, 102, 255], 6);
    writeFileSync(join(folder, 'notes.txt'), 'not an image');
    const loaded = loadPngFolder(folder);
    expect(loaded.count).toBe(3);
    expect(loaded.exampleShape).toEqual([1, 2, 1]);
    const expected = [0.299, 0.114, 0, 0.4, 1, 0];
    Array.from(loaded.data).forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 5));
  });

  it('rejects mixed sizes, empty folders and broken files', () => {
    const mixed = mkdtempSync(join(dir, 'mixed-'));
    writeRgba(join(mixed, 'a.png'), 1, 1, [0, 0, 0, 255], 0);
    writeRgba(join(mixed, 'b.png'), 2, 1, [0, 0, 0, 255, 0, 0, 0, 255], 0);
    expect(() => loadPngFolder(mixed)).toThrow(/must be the same size: a.png is 1x1, b.png is 2x1/);
    const empty = mkdtempSync(join(dir, 'empty-'));
    expect(() => loadPngFolder(empty)).toThrow(/holds no .png files/);
    const broken = mkdtempSync(join(dir, 'broken-'));
    writeFileSync(join(broken, 'x.png'), 'not a png');
    expect(() => loadPngFolder(broken)).toThrow(DataError);
    expect(() => loadPngFolder(broken)).toThrow(/x.png is not a readable PNG/);
  });
});
