import { basename } from 'node:path';
import type { LoadedData } from '../types.js';
import { DataError } from '../data-error.js';
import { checkChannels, type PngChannels } from './png-decode.js';
import { decodeFolderImage, scanPngFolder } from './png-folder-scan.js';
import { resolvePngLimits, type PngLimits } from './png-limits.js';

export { decodePng, decodePngGray } from './png-decode.js';

/** How a folder of PNGs is read: the size limits, and the values per pixel (default 1, grey). */
export interface PngFolderOptions extends Partial<PngLimits> {
  /** 1 (grey, the default), 3 (RGB) or 4 (RGBA); see `PngChannels` for how files are converted. */
  channels?: PngChannels;
}

/**
 * Load every .png in a folder (sorted by name, numbers in names compared as numbers) as one example
 * each, shape [height, width, channels]. All images must be the same size. Every file's header is read
 * and checked (its size, and all values together against `maxFolderPixels`) before any image is
 * decoded; the images are then decoded straight into the one array returned. For folders too large to
 * hold decoded, `pngFolderDataset` decodes batch by batch instead.
 */
export function loadPngFolder(dir: string, options: PngFolderOptions = {}): LoadedData {
  const { channels: requested, ...limitOverrides } = options;
  const channels = checkChannels(requested ?? 1);
  const limits = resolvePngLimits(limitOverrides);
  const scan = scanPngFolder(dir, limits);
  const { names, width, height } = scan;
  const size = width * height * channels;
  const values = names.length * size;
  if (values > limits.maxFolderPixels) {
    const what = channels === 1 ? 'pixels' : `values (${channels} per pixel)`;
    throw new DataError(
      `${basename(dir)} holds ${names.length} images of ${width}x${height}, ${values} ${what} in all, ` +
        `over the limit of ${limits.maxFolderPixels}; use fewer or smaller images, or pngFolderDataset to decode them batch by batch`,
    );
  }
  const data = new Float32Array(values);
  names.forEach((_, n) => decodeFolderImage(scan, n, limits, channels, data, n * size));
  return { data, count: names.length, exampleShape: [height, width, channels] };
}
