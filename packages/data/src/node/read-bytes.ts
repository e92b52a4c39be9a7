import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataError } from '../data-error.js';

/** Read a whole file, inflating it when it starts with the gzip magic bytes (whatever its name says). */
export function readMaybeGzipped(path: string): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new DataError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes);
    } catch (error) {
      throw new DataError(`${path} looks gzipped but does not inflate: ${(error as Error).message}`, { cause: error });
    }
  }
  return bytes;
}
