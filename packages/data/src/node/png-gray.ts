import pngjs from 'pngjs';
import { DataError } from '../data-error.js';
import { readPngHeader, type PngHeader } from './png-header.js';
import { checkInflatedSize } from './png-inflate-bound.js';
import { resolvePngLimits, type PngLimits } from './png-limits.js';

/**
 * Decode one PNG to grayscale intensities in [0, 1]. Its header is checked against `limits` first,
 * so an image too large to decode is refused before anything is inflated.
 */
export function decodePngGray(
  bytes: Uint8Array,
  source = 'PNG',
  limits: Partial<PngLimits> = {},
): { data: Float32Array; width: number; height: number } {
  const header = readPngHeader(bytes, source, resolvePngLimits(limits));
  const data = new Float32Array(header.width * header.height);
  decodeGrayInto(bytes, header, source, data, 0);
  return { data, width: header.width, height: header.height };
}

/**
 * Decodes a PNG whose header `readPngHeader` has accepted into `out` at `offset`. pngjs hands back
 * 8-bit RGBA whatever the file's color type; color is reduced to luma (ITU-R BT.601 weights) and
 * alpha composites onto black, since a transparent background is "no ink" for white-on-black digits.
 */
export function decodeGrayInto(bytes: Uint8Array, header: PngHeader, source: string, out: Float32Array, offset: number): void {
  if (header.interlaced) checkInflatedSize(bytes, header, source);
  let png: pngjs.PNGWithMetadata;
  try {
    png = pngjs.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    throw new DataError(`${source} is not a readable PNG: ${(error as Error).message}`, { cause: error });
  }
  const { data: rgba } = png;
  const pixels = header.width * header.height;
  for (let i = 0; i < pixels; i++) {
    const r = rgba[4 * i] as number;
    const g = rgba[4 * i + 1] as number;
    const b = rgba[4 * i + 2] as number;
    const a = rgba[4 * i + 3] as number;
    // Gray pixels stay exact (no rounding drift from the weights) so 0/1 images stay binary.
    const luma = r === g && g === b ? r : 0.299 * r + 0.587 * g + 0.114 * b;
    out[offset + i] = (luma * a) / (255 * 255);
  }
}
