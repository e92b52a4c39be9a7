import { inflateSync } from 'node:zlib';
import { DataError } from '../data-error.js';
import { inflatedSize, type PngHeader } from './png-header.js';

/**
 * pngjs inflates a plain image's data only up to the size its header declares, but an interlaced
 * image's with no bound at all: a small interlaced file could inflate to gigabytes. This inflates the
 * data first with that bound and refuses what overflows. Other zlib errors are left to pngjs to report.
 */
export function checkInflatedSize(bytes: Uint8Array, header: PngHeader, source: string): void {
  const limit = inflatedSize(header);
  try {
    inflateSync(imageData(bytes), { maxOutputLength: limit });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DataError(
        `${source} is corrupt: its image data inflates past the ${limit} bytes its ${header.width}x${header.height} pixels need`,
      );
    }
  }
}

/** The IDAT chunks' data joined, as the decoder sees it; a chunk running past the end stops the walk. */
function imageData(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  for (let offset = 8; offset + 12 <= bytes.byteLength; ) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const end = offset + 12 + length;
    if (end > bytes.byteLength || type === 'IEND') break;
    if (type === 'IDAT') parts.push(bytes.subarray(offset + 8, offset + 8 + length));
    offset = end;
  }
  return Buffer.concat(parts);
}
