import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import pngjs from 'pngjs';
import type { Picture, PictureChannels } from '../tile-images.js';

/** The PNG colour type of each channel count: grey, RGB, RGBA. */
const COLOR_TYPE: Readonly<Record<PictureChannels, 0 | 2 | 6>> = { 1: 0, 3: 2, 4: 6 };

/** Encode an 8-bit picture (grey, RGB or RGBA, channels interleaved) as PNG bytes. */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: PictureChannels = 1): Buffer {
  const colorType = COLOR_TYPE[channels];
  if (colorType === undefined) throw new RangeError(`channels must be 1 (grey), 3 (RGB) or 4 (RGBA), got ${String(channels)}`);
  if (pixels.length !== width * height * channels) {
    throw new RangeError(
      `expected ${width}x${height} pixels of ${channels} channel(s) = ${width * height * channels} values, got ${pixels.length}`,
    );
  }
  const png = new pngjs.PNG({ width, height });
  // Same input and output color type lets pngjs take the pixels as they are.
  png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  return pngjs.PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: channels === 4 });
}

/**
 * Write a picture to `path` atomically: encode into a temporary file beside it, then rename, so a
 * crash or a concurrent reader never sees half a PNG.
 */
export function writePng(path: string, image: Picture): void {
  const bytes = encodePng(image.pixels, image.width, image.height, image.channels ?? 1);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, bytes);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
