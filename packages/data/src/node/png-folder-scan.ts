import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DataError } from '../data-error.js';
import { decodePngInto, type PngChannels } from './png-decode.js';
import { PNG_HEADER_BYTES, readPngHeader, type PngHeader } from './png-header.js';
import type { PngLimits } from './png-limits.js';

/** A folder of same-sized PNGs whose headers have all been read and checked. */
export interface PngFolderScan {
  readonly dir: string;
  /** The .png files, sorted by name with numbers in names compared as numbers. */
  readonly names: readonly string[];
  readonly width: number;
  readonly height: number;
}

/**
 * Lists a folder's .png files and checks every header (its size against `limits`, all sizes equal)
 * without decoding any image, so a bad file late in the folder fails before any work.
 */
export function scanPngFolder(dir: string, limits: PngLimits): PngFolderScan {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.toLowerCase().endsWith('.png'));
  } catch (error) {
    throw new DataError(`cannot read folder ${dir}: ${(error as Error).message}`, { cause: error });
  }
  names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (names.length === 0) throw new DataError(`${basename(dir)} holds no .png files`);

  const headers = names.map((name) => readPngHeader(readHead(join(dir, name)), name, limits));
  const first = headers[0] as PngHeader;
  headers.forEach((header, i) => {
    if (header.width !== first.width || header.height !== first.height) {
      throw new DataError(
        `all images in ${basename(dir)} must be the same size: ${names[0]} is ${first.width}x${first.height}, ` +
          `${names[i]} is ${header.width}x${header.height}`,
      );
    }
  });
  return { dir, names, width: first.width, height: first.height };
}

/**
 * Decodes image `index` of a scanned folder into `out` at `offset`. The header is read again, since
 * the file may have changed since the scan.
 */
export function decodeFolderImage(
  scan: PngFolderScan,
  index: number,
  limits: PngLimits,
  channels: PngChannels,
  out: Float32Array,
  offset: number,
): void {
  const name = scan.names[index] as string;
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(scan.dir, name));
  } catch (error) {
    throw new DataError(`cannot read ${join(scan.dir, name)}: ${(error as Error).message}`, { cause: error });
  }
  const header = readPngHeader(bytes, name, limits);
  if (header.width !== scan.width || header.height !== scan.height) {
    throw new DataError(`${name} changed while ${basename(scan.dir)} was being read: it is now ${header.width}x${header.height}, not ${scan.width}x${scan.height}`);
  }
  decodePngInto(bytes, header, name, channels, out, offset);
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
