import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import pngjs from 'pngjs';
import type { GrayImage } from '../tile-images.js';

const GRAYSCALE = 0;

/** Encode an 8-bit grayscale picture as PNG bytes. */
export function encodePng(pixels: Uint8Array, width: number, height: number): Buffer {
  if (pixels.length !== width * height) {
    throw new RangeError(`expected ${width}x${height} = ${width * height} pixels, got ${pixels.length}`);
  }
  const png = new pngjs.PNG({ width, height });
  // Same input and output color type lets pngjs take the pixels as they are (one byte each).
  png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  return pngjs.PNG.sync.write(png, { colorType: GRAYSCALE, inputColorType: GRAYSCALE, inputHasAlpha: false });
}

/**
 * Write a picture to `path` atomically: encode into a temporary file beside it, then rename, so a
 * crash or a concurrent reader never sees half a PNG.
 */
export function writePng(path: string, image: GrayImage): void {
  const bytes = encodePng(image.pixels, image.width, image.height);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, bytes);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
