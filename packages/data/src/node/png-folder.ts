import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DataError } from '../data-error.js';
import type { LoadedData } from '../types.js';
import { decodeGrayInto } from './png-gray.js';
import { PNG_HEADER_BYTES, readPngHeader, type PngHeader } from './png-header.js';
import { resolvePngLimits, type PngLimits } from './png-limits.js';

export { decodePngGray } from './png-gray.js';

/**
 * Load every .png in a folder (sorted by name, numbers in names compared as numbers) as one example
 * each, shape [height, width, 1]. All images must be the same size. Every file's header is read and
 * checked (its size, and all sizes together against `limits`) before any image is decoded; the images
 * are then decoded straight into the one array returned.
 */
export function loadPngFolder(dir: string, limits: Partial<PngLimits> = {}): LoadedData {
  const resolved = resolvePngLimits(limits);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.toLowerCase().endsWith('.png'));
  } catch (error) {
    throw new DataError(`cannot read folder ${dir}: ${(error as Error).message}`, { cause: error });
  }
  names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (names.length === 0) throw new DataError(`${basename(dir)} holds no .png files`);

  const headers = names.map((name) => readPngHeader(readHead(join(dir, name)), name, resolved));
  const first = headers[0] as PngHeader;
  headers.forEach((header, i) => {
    if (header.width !== first.width || header.height !== first.height) {
      throw new DataError(
        `all images in ${basename(dir)} must be the same size: ${names[0]} is ${first.width}x${first.height}, ` +
          `${names[i]} is ${header.width}x${header.height}`,
      );
    }
  });
  const size = first.width * first.height;
  if (names.length * size > resolved.maxFolderPixels) {
    throw new DataError(
      `${basename(dir)} holds ${names.length} images of ${first.width}x${first.height}, ${names.length * size} pixels in all, ` +
        `over the limit of ${resolved.maxFolderPixels}; use fewer or smaller images`,
    );
  }
  const data = new Float32Array(names.length * size);
  names.forEach((name, n) => {
    const bytes = readFileSync(join(dir, name));
    // Read again: the file may have changed since its header was checked.
    const header = readPngHeader(bytes, name, resolved);
    if (header.width !== first.width || header.height !== first.height) {
      throw new DataError(`${name} changed while ${basename(dir)} was being read`);
    }
    decodeGrayInto(bytes, header, name, data, n * size);
  });
  return { data, count: names.length, exampleShape: [first.height, first.width, 1] };
}

/** The first bytes of a file, enough for its PNG header, without reading the rest. */
function readHead(path: string): Uint8Array {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = new Uint8Array(PNG_HEADER_BYTES);
    const read = readSync(fd, head, 0, head.byteLength, 0);
    return head.subarray(0, read);
  } catch (error) {
    throw new DataError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
