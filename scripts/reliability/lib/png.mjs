// Hand-made PNGs: any header a file can declare, and decompression bombs streamed out of zlib without
// ever holding the inflated bytes. (The same construction as packages/data/test/helpers/png-bytes.ts;
// the suite runs plain Node and does not import the packages' TypeScript tests.)
import { createDeflate, deflateSync } from 'node:zlib';

const SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** @param {Uint8Array} bytes */
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = /** @type {number} */ (CRC_TABLE[(c ^ b) & 0xff]) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * @param {string} type
 * @param {Uint8Array} data
 */
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.byteLength);
  out.writeUInt32BE(data.byteLength, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.byteLength)), 8 + data.byteLength);
  return out;
}

/**
 * A PNG with the given header around already-compressed image data.
 * @param {{ width: number, height: number, bitDepth?: number, colorType?: number, interlace?: 0 | 1 }} ihdr
 * @param {Uint8Array} idat
 */
export function pngFile(ihdr, idat) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(ihdr.width, 0);
  header.writeUInt32BE(ihdr.height, 4);
  header[8] = ihdr.bitDepth ?? 8;
  header[9] = ihdr.colorType ?? 0;
  header[12] = ihdr.interlace ?? 0;
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
}

/**
 * A correct 8-bit grayscale PNG of `pixel(x, y)` (0-255).
 * @param {number} width
 * @param {number} height
 * @param {(x: number, y: number) => number} pixel
 */
export function grayPng(width, height, pixel) {
  const rows = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rows[y * (width + 1) + 1 + x] = pixel(x, y);
  return pngFile({ width, height }, deflateSync(rows));
}

/**
 * zlib data that inflates to `inflatedBytes` zero bytes, made without holding them (about 1 KB per MB).
 * @param {number} inflatedBytes
 * @returns {Promise<Buffer>}
 */
export async function deflatedZeros(inflatedBytes) {
  const deflate = createDeflate({ level: 9 });
  /** @type {Buffer[]} */
  const parts = [];
  deflate.on('data', (part) => parts.push(part));
  const done = new Promise((resolve, reject) => {
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
