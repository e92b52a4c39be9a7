import { createDeflate, deflateSync } from 'node:zlib';

/**
 * Hand-made PNGs for the decoder's limits: any IHDR a file can declare (pngjs's writer only makes sane
 * ones), interlaced images (pngjs cannot write them), and decompression bombs streamed out of zlib
 * without ever holding the inflated bytes.
 */

const SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.byteLength);
  out.writeUInt32BE(data.byteLength, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.byteLength)), 8 + data.byteLength);
  return out;
}

export interface Ihdr {
  readonly width: number;
  readonly height: number;
  readonly bitDepth?: number;
  readonly colorType?: number;
  readonly interlace?: 0 | 1;
}

/** A PNG with the given header around already-compressed image data. */
export function pngFile(ihdr: Ihdr, idat: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(ihdr.width, 0);
  header.writeUInt32BE(ihdr.height, 4);
  header[8] = ihdr.bitDepth ?? 8;
  header[9] = ihdr.colorType ?? 0;
  header[12] = ihdr.interlace ?? 0;
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
}

/** The Adam7 passes: [x0, y0, dx, dy]. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** A correct 8-bit grayscale PNG, interlaced (Adam7) or not, of the given pixels. */
export function grayPng(pixels: Uint8Array, width: number, height: number, interlace: 0 | 1): Buffer {
  const rows: number[] = [];
  const passes = interlace ? ADAM7 : ([[0, 0, 1, 1]] as const);
  for (const [x0, y0, dx, dy] of passes) {
    const columns: number[] = [];
    for (let x = x0; x < width; x += dx) columns.push(x);
    if (columns.length === 0) continue;
    for (let y = y0; y < height; y += dy) {
      rows.push(0); // filter type None
      for (const x of columns) rows.push(pixels[y * width + x]!);
    }
  }
  return pngFile({ width, height, interlace }, deflateSync(Uint8Array.from(rows)));
}

/** zlib data that inflates to `inflatedBytes` zero bytes, made without holding them (about 1 KB per MB). */
export async function deflatedZeros(inflatedBytes: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (part: Buffer) => parts.push(part));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  const block = Buffer.alloc(1024 * 1024);
  for (let left = inflatedBytes; left > 0; left -= block.byteLength) {
    const piece = left >= block.byteLength ? block : block.subarray(0, left);
    if (!deflate.write(piece)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  return Buffer.concat(parts);
}
