import { DataError } from '../data-error.js';
import type { PngLimits } from './png-limits.js';

/** What a PNG's IHDR chunk declares. */
export interface PngHeader {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly colorType: number;
  readonly interlaced: boolean;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Signature, then the IHDR chunk's length, type and 13 bytes of data. */
export const PNG_HEADER_BYTES = 8 + 8 + 13;
/** Samples per pixel of each color type, and the bit depths the PNG specification allows it. */
const COLOR_TYPES: Readonly<Record<number, { samples: number; depths: readonly number[] }>> = {
  0: { samples: 1, depths: [1, 2, 4, 8, 16] },
  2: { samples: 3, depths: [8, 16] },
  3: { samples: 1, depths: [1, 2, 4, 8] },
  4: { samples: 2, depths: [8, 16] },
  6: { samples: 4, depths: [8, 16] },
};

/**
 * Reads a PNG's IHDR from its first bytes and refuses a size over the limits, so that nothing is
 * inflated or allocated for an image vaekit would not decode. CRCs are left to the decoder.
 */
export function readPngHeader(bytes: Uint8Array, source: string, limits: PngLimits): PngHeader {
  const unreadable = (why: string): DataError => new DataError(`${source} is not a readable PNG: ${why}`);
  if (bytes.byteLength < SIGNATURE.length || SIGNATURE.some((b, i) => bytes[i] !== b)) throw unreadable('no PNG signature');
  if (bytes.byteLength < PNG_HEADER_BYTES) throw unreadable('it ends before its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (view.getUint32(8) !== 13 || type !== 'IHDR') throw unreadable('it does not start with an IHDR chunk');
  const header: PngHeader = {
    width: view.getUint32(16),
    height: view.getUint32(20),
    bitDepth: bytes[24]!,
    colorType: bytes[25]!,
    interlaced: bytes[28] === 1,
  };
  const { width, height, bitDepth, colorType } = header;
  if (width === 0 || height === 0) throw unreadable(`its header declares ${width}x${height} pixels`);
  if (!COLOR_TYPES[colorType]?.depths.includes(bitDepth)) throw unreadable(`color type ${colorType} with bit depth ${bitDepth} is not valid PNG`);
  if (bytes[28]! > 1) throw unreadable(`interlace method ${bytes[28]} is not valid PNG`);
  if (width > limits.maxSide || height > limits.maxSide) {
    throw new DataError(`${source} is ${width}x${height} pixels, over the limit of ${limits.maxSide} on a side; use smaller images`);
  }
  if (width * height > limits.maxPixels) {
    throw new DataError(`${source} is ${width}x${height} pixels, over the limit of ${limits.maxPixels} pixels; use smaller images`);
  }
  return header;
}

/** Bytes the image data inflates to: per row a filter byte and the packed samples, per Adam7 pass if interlaced. */
export function inflatedSize(header: PngHeader): number {
  const bitsPerPixel = COLOR_TYPES[header.colorType]!.samples * header.bitDepth;
  const rowBytes = (width: number): number => 1 + Math.ceil((width * bitsPerPixel) / 8);
  if (!header.interlaced) return header.height * rowBytes(header.width);
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    const columns = Math.ceil((header.width - x0) / dx);
    const rows = Math.ceil((header.height - y0) / dy);
    if (columns > 0 && rows > 0) total += rows * rowBytes(columns);
  }
  return total;
}

/** The seven Adam7 passes: first column and row, then column and row steps. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;
