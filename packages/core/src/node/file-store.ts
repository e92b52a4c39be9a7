import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CheckpointStore } from '../train/checkpoint.js';

/**
 * Writes a file so that readers see either the old content or the new, never a torn mix: the bytes go
 * to a temporary file in the same folder, are flushed to disk, and the temporary file is renamed over
 * the target (an atomic replace on POSIX file systems).
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Reads a file, or returns null when it does not exist. */
export async function readFileIfExists(path: string): Promise<Uint8Array | null> {
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** A checkpoint store backed by one file, replaced atomically on every save. */
export function fileCheckpointStore(path: string): CheckpointStore {
  return {
    location: path,
    save: (bytes) => writeFileAtomic(path, bytes),
    load: () => readFileIfExists(path),
  };
}
