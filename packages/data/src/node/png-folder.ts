import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import pngjs from 'pngjs';
import { DataError } from '../data-error.js';
import type { LoadedData } from '../types.js';

/**
 * Decode one PNG to grayscale intensities in [0, 1]. pngjs hands back 8-bit RGBA whatever the file's
 * color type; color is reduced to luma (ITU-R BT.601 weights) and alpha composites onto black, since
 * a transparent background is "no ink" for white-on-black digits.
 */
export function decodePngGray(bytes: Uint8Array, source = 'PNG'): { data: Float32Array; width: number; height: number } {
  let png: pngjs.PNGWithMetadata;
  try {
    png = pngjs.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    throw new DataError(`${source} is not a readable PNG: ${(error as Error).message}`, { cause: error });
  }
  const { width, height, data: rgba } = png;
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) {
    const r = rgba[4 * i] as number;
    const g = rgba[4 * i + 1] as number;
    const b = rgba[4 * i + 2] as number;
    const a = rgba[4 * i + 3] as number;
    // Gray pixels stay exact (no rounding drift from the weights) so 0/1 images stay binary.
    const luma = r === g && g === b ? r : 0.299 * r + 0.587 * g + 0.114 * b;
    data[i] = (luma * a) / (255 * 255);
  }
  return { data, width, height };
}

/**
 * Load every .png in a folder (sorted by name, numbers in names compared as numbers) as one example
 * each, shape [height, width, 1]. All images must be the same size.
 */
export function loadPngFolder(dir: string): LoadedData {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.toLowerCase().endsWith('.png'));
  } catch (error) {
    throw new DataError(`cannot read folder ${dir}: ${(error as Error).message}`, { cause: error });
  }
  names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (names.length === 0) throw new DataError(`${basename(dir)} holds no .png files`);

  let size: { width: number; height: number; from: string } | undefined;
  const examples: Float32Array[] = [];
  for (const name of names) {
    const image = decodePngGray(readFileSync(join(dir, name)), name);
    if (size === undefined) {
      size = { width: image.width, height: image.height, from: name };
    } else if (image.width !== size.width || image.height !== size.height) {
      throw new DataError(
        `all images in ${basename(dir)} must be the same size: ${size.from} is ${size.width}x${size.height}, ` +
          `${name} is ${image.width}x${image.height}`,
      );
    }
    examples.push(image.data);
  }
  // size is set: names is non-empty.
  const { width, height } = size as { width: number; height: number };
  const data = new Float32Array(examples.length * width * height);
  examples.forEach((example, n) => data.set(example, n * width * height));
  return { data, count: examples.length, exampleShape: [height, width, 1] };
}
