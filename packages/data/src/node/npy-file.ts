import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { DataError } from '../data-error.js';
import { npyHeaderLength, npyLayout, npyTruncated, parseNpyHeader, type NpyLayout } from '../npy.js';

/**
 * Headers numpy writes are a few hundred bytes; a larger one is refused before it is read, so a crafted
 * file cannot make the reader allocate the 4 GB a version-2 header length can claim.
 */
const MAX_HEADER_BYTES = 1 << 20;

/** An open .npy file: its checked layout and the handle its rows are read through. */
export interface OpenNpyFile {
  readonly handle: FileHandle;
  readonly layout: NpyLayout;
  /** The file's name, for error messages. */
  readonly source: string;
}

/**
 * Opens a .npy file and reads and checks its header (the same checks `parseNpy` makes, and that the file
 * is as long as the header says) without reading any of its data. The caller closes the handle.
 */
export async function openNpyFile(path: string): Promise<OpenNpyFile> {
  const source = basename(path);
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new DataError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const size = (await handle.stat()).size;
    const prefix = await readAt(handle, 0, Math.min(12, size));
    const headerEnd = npyHeaderLength(prefix, source);
    if (headerEnd > MAX_HEADER_BYTES) {
      throw new DataError(`${source} claims a ${headerEnd}-byte header, over the ${MAX_HEADER_BYTES} bytes a .npy header may take here`);
    }
    const headerBytes = await readAt(handle, 0, Math.min(headerEnd, size));
    const header = parseNpyHeader(headerBytes, source);
    const layout = npyLayout(header, source);
    if (size < layout.byteLength) throw npyTruncated(header, layout, size, source);
    if (layout.count === 0) throw new DataError(`${source} has no examples`);
    return { handle, layout, source };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** `length` bytes at `position` (fewer only at the end of the file). */
export async function readAt(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buffer.subarray(0, done);
}
