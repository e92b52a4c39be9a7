import pngjs from 'pngjs';
import { DataError } from '../data-error.js';
import { readPngHeader, type PngHeader } from './png-header.js';
import { checkInflatedSize } from './png-inflate-bound.js';
import { resolvePngLimits, type PngLimits } from './png-limits.js';

/**
 * Values per pixel of a decoded image, whatever the file stores:
 * - 1: grey. Colour is reduced to luma (ITU-R BT.601 weights).
 * - 3: RGB. A grey file's level is copied to all three.
 * - 4: RGBA, alpha as stored (1 where the file has no alpha).
 * With 1 or 3 channels alpha composites onto black, since a transparent background is "no ink" for
 * white-on-black digits.
 */
export type PngChannels = 1 | 3 | 4;

export const PNG_CHANNELS: readonly PngChannels[] = [1, 3, 4];

/** A decoded image, row-major with channels interleaved: `data.length === height * width * channels`. */
export interface DecodedPng {
  data: Float32Array;
  width: number;
  height: number;
  channels: PngChannels;
}

/** Throws a DataError unless `channels` is 1, 3 or 4. */
export function checkChannels(channels: unknown): PngChannels {
  if (!(PNG_CHANNELS as readonly unknown[]).includes(channels)) {
    throw new DataError(`channels must be 1 (grey), 3 (RGB) or 4 (RGBA), got ${String(channels)}`);
  }
  return channels as PngChannels;
}

/**
 * Decode one PNG to intensities in [0, 1] with `channels` values per pixel. Its header is checked
 * against `limits` first, so an image too large to decode is refused before anything is inflated.
 */
export function decodePng(
  bytes: Uint8Array,
  options: { channels: PngChannels; source?: string; limits?: Partial<PngLimits> },
): DecodedPng {
  const channels = checkChannels(options.channels);
  const source = options.source ?? 'PNG';
  const header = readPngHeader(bytes, source, resolvePngLimits(options.limits));
  const data = new Float32Array(header.width * header.height * channels);
  decodePngInto(bytes, header, source, channels, data, 0);
  return { data, width: header.width, height: header.height, channels };
}

/** Decode one PNG to grayscale intensities in [0, 1]: `decodePng` with one channel. */
export function decodePngGray(
  bytes: Uint8Array,
  source = 'PNG',
  limits: Partial<PngLimits> = {},
): { data: Float32Array; width: number; height: number } {
  const { data, width, height } = decodePng(bytes, { channels: 1, source, limits });
  return { data, width, height };
}

/**
 * Decodes a PNG whose header `readPngHeader` has accepted into `out` at `offset`, `channels` values
 * per pixel. pngjs hands back 8-bit RGBA whatever the file's colour type.
 */
export function decodePngInto(
  bytes: Uint8Array,
  header: PngHeader,
  source: string,
  channels: PngChannels,
  out: Float32Array,
  offset: number,
): void {
  if (header.interlaced) checkInflatedSize(bytes, header, source);
  let png: pngjs.PNGWithMetadata;
  try {
    png = pngjs.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    throw new DataError(`${source} is not a readable PNG: ${(error as Error).message}`, { cause: error });
  }
  const rgba = png.data;
  const pixels = header.width * header.height;
  if (channels === 4) {
    for (let i = 0; i < 4 * pixels; i++) out[offset + i] = (rgba[i] as number) / 255;
    return;
  }
  for (let i = 0; i < pixels; i++) {
    const r = rgba[4 * i] as number;
    const g = rgba[4 * i + 1] as number;
    const b = rgba[4 * i + 2] as number;
    const a = rgba[4 * i + 3] as number;
    // value * a / 255² keeps 0 and 255 exact, so 0/1 images stay binary.
    if (channels === 3) {
      const at = offset + 3 * i;
      out[at] = (r * a) / (255 * 255);
      out[at + 1] = (g * a) / (255 * 255);
      out[at + 2] = (b * a) / (255 * 255);
    } else {
      // Gray pixels skip the weights, which would drift by a rounding error.
      const luma = r === g && g === b ? r : 0.299 * r + 0.587 * g + 0.114 * b;
      out[offset + i] = (luma * a) / (255 * 255);
    }
  }
}
