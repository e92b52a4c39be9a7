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
    const grid = tileImages(images, 5, 2, 3, { columns: 3, padding: 1, scale: 1 });
    expect(grid.width).toBe(3 * 3 + 2);
    expect(grid.height).toBe(2 * 2 + 1);
    expect(grid.pixels.length).toBe(grid.width * grid.height);
    expect(grid.pixels[0]).toBe(255);
    expect(grid.pixels[3]).toBe(191); // the vertical line after the first tile
    expect(grid.pixels[2 * grid.width]).toBe(191); // the horizontal line under the first row
    expect(grid.pixels[grid.pixels.length - 1]).toBe(0); // the empty sixth cell
  });

  it('clamps values and defaults to a near-square grid', () => {
    const grid = tileImages(Float32Array.from([-1, 0.5, 2, Number.NaN]), 4, 1, 1, { padding: 0, scale: 1 });
    expect(grid.width).toBe(2);
    expect(Array.from(grid.pixels)).toEqual([0, 128, 255, 0]);
    expect(tileImages(new Float32Array(3), 3, 1, 1, { columns: 8, padding: 2, scale: 1 }).width).toBe(3 + 2 * 2);
    expect(() => tileImages(new Float32Array(3), 2, 1, 1)).toThrow(RangeError);
  });

  it('enlarges by an integer scale, nearest neighbour, and by default until the grid is 400 pixels wide', () => {
    const grid = tileImages(Float32Array.from([0, 1, 1, 0]), 1, 2, 2, { scale: 3 });
    expect([grid.width, grid.height, grid.channels]).toEqual([6, 6, 1]);
    expect(Array.from(grid.pixels.subarray(0, 6))).toEqual([0, 0, 0, 255, 255, 255]);
    expect(Array.from(grid.pixels.subarray(12, 18))).toEqual([0, 0, 0, 255, 255, 255]); // third row repeats the first
    expect(Array.from(grid.pixels.subarray(18, 24))).toEqual([255, 255, 255, 0, 0, 0]);
    // 64 digits of 16x16, 8 per row: 135 pixels wide, so 3 times that by default.
    const digits = tileImages(new Float32Array(64 * 16 * 16), 64, 16, 16, { columns: 8 });
    expect([digits.width, digits.height]).toEqual([405, 405]);
    // A grid already wide enough stays as it is.
    expect(tileImages(new Float32Array(20 * 28 * 28), 20, 28, 28, { columns: 20 }).width).toBe(20 * 28 + 19);
    expect(() => tileImages(new Float32Array(1), 1, 1, 1, { scale: 1.5 })).toThrow(/scale must be a positive integer or 'auto', got 1.5/);
    expect(() => tileImages(new Float32Array(1), 1, 1, 1, { scale: 0 })).toThrow(RangeError);
  });

  it('tiles RGB and RGBA images in colour, padding lines grey and opaque', () => {
    // Two 1x1 images, [red, blue], with a 1-pixel line between them.
    const rgb = tileImages(Float32Array.from([1, 0, 0, 0, 0, 1]), 2, 1, 1, { channels: 3, scale: 1 });
    expect([rgb.width, rgb.height, rgb.channels]).toEqual([3, 1, 3]);
    expect(Array.from(rgb.pixels)).toEqual([255, 0, 0, 191, 191, 191, 0, 0, 255]);
    const rgba = tileImages(Float32Array.from([0, 1, 0, 0.5, 0, 0, 0, 1]), 2, 1, 1, { channels: 4, scale: 1 });
    expect(Array.from(rgba.pixels)).toEqual([0, 255, 0, 128, 191, 191, 191, 255, 0, 0, 0, 255]);
    expect(() => tileImages(new Float32Array(4), 1, 1, 1, { channels: 3 })).toThrow(/expected 1 images of 1x1x3 \(3 values\), got 4/);
    expect(() => tileImages(new Float32Array(2), 1, 1, 1, { channels: 2 as 3 })).toThrow(/channels must be 1 \(grey\), 3 \(RGB\) or 4 \(RGBA\), got 2/);
  });
});

describe('encodePng and writePng', () => {
  it('round-trips through pngjs decoding', () => {
    const grid = tileImages(Float32Array.from({ length: 4 * 28 * 28 }, (_, i) => (i % 29) / 28), 4, 28, 28, { columns: 2, scale: 1 });
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
    expect(() => encodePng(new Uint8Array(4), 2, 2, 3)).toThrow(/expected 2x2 pixels of 3 channel\(s\) = 12 values, got 4/);
  });

  it('writes a colour grid that decodes to the same RGB pixels at the scaled size', () => {
    // Four 2x2 tiles: red, green, blue and a grey ramp, on a 2x2 grid enlarged 5 times.
    const tiles = new Float32Array(4 * 2 * 2 * 3);
    for (let p = 0; p < 4; p++) {
      tiles.set([1, 0, 0], (0 * 4 + p) * 3);
      tiles.set([0, 1, 0], (1 * 4 + p) * 3);
      tiles.set([0, 0, 1], (2 * 4 + p) * 3);
      tiles.set([p / 3, p / 3, p / 3], (3 * 4 + p) * 3);
    }
    const grid = tileImages(tiles, 4, 2, 2, { channels: 3, columns: 2, scale: 5 });
    const path = join(dir, 'colour.png');
    writePng(path, grid);
    const decoded = pngjs.PNG.sync.read(readFileSync(path));
    expect([decoded.width, decoded.height, decoded.colorType]).toEqual([25, 25, 2]);
    const at = (x: number, y: number): number[] => Array.from(decoded.data.subarray(4 * (y * 25 + x), 4 * (y * 25 + x) + 3));
    expect(at(0, 0)).toEqual([255, 0, 0]);
    expect(at(9, 9)).toEqual([255, 0, 0]); // the last screen pixel of the red tile
    expect(at(10, 0)).toEqual([191, 191, 191]); // the padding line, 5 pixels wide
    expect(at(15, 0)).toEqual([0, 255, 0]);
    expect(at(0, 15)).toEqual([0, 0, 255]);
    expect(at(24, 24)).toEqual([255, 255, 255]); // the ramp's last pixel
    expect(at(15, 15)).toEqual([0, 0, 0]); // the ramp's first
  });

  it('writes RGBA pictures with their alpha', () => {
    const path = join(dir, 'alpha.png');
    writePng(path, { pixels: Uint8Array.from([10, 20, 30, 40]), width: 1, height: 1, channels: 4 });
    const decoded = pngjs.PNG.sync.read(readFileSync(path));
    expect(decoded.colorType).toBe(6);
    expect(Array.from(decoded.data)).toEqual([10, 20, 30, 40]);
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

  it('loads RGB and RGBA by the channels asked for: grey copied to each, alpha composited or kept', () => {
    const folder = mkdtempSync(join(dir, 'colour-'));
    writeRgba(join(folder, 'a.png'), 2, 1, [76, 76, 76, 255, 51, 51, 51, 255], 0);
    writeRgba(join(folder, 'b.png'), 2, 1, [255, 0, 0, 255, 0, 0, 255, 255], 2);
    writeRgba(join(folder, 'c.png'), 2, 1, [255, 255, 255, 0, 0, 102, 0, 51], 6);
    const rgb = loadPngFolder(folder, { channels: 3 });
    expect(rgb.exampleShape).toEqual([1, 2, 3]);
    const grey = 76 / 255;
    const rgbExpected = [grey, grey, grey, 0.2, 0.2, 0.2, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, (0.4 * 51) / 255, 0];
    Array.from(rgb.data).forEach((v, i) => expect(v).toBeCloseTo(rgbExpected[i] as number, 5));
    const rgba = loadPngFolder(folder, { channels: 4 });
    expect(rgba.exampleShape).toEqual([1, 2, 4]);
    expect(Array.from(rgba.data.subarray(16), (v) => Math.round(v * 255))).toEqual([255, 255, 255, 0, 0, 102, 0, 51]);
    expect(Array.from(rgba.data.subarray(8, 16), (v) => Math.round(v * 255))).toEqual([255, 0, 0, 255, 0, 0, 255, 255]);
    expect(() => loadPngFolder(folder, { channels: 2 as 3 })).toThrow(/channels must be 1 \(grey\), 3 \(RGB\) or 4 \(RGBA\), got 2/);
    // The folder limit counts every value, channels included.
    expect(() => loadPngFolder(folder, { channels: 3, maxFolderPixels: 17 })).toThrow(/18 values \(3 per pixel\) in all, over the limit of 17/);
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
