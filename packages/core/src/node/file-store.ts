import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CheckpointStore } from '../train/checkpoint.js';

/** Temporary files end in this; a crash mid-write can leave one behind (see removeTemporaryFiles). */
const TEMP_SUFFIX = '.tmp';

/**
 * The temporary twin of `path`: `.NAME.<random>.tmp` in the same folder (a rename across folders would
 * not be atomic). The dot hides it from plain listings; the name and suffix let the next run recognize
 * and remove it.
 */
function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
}

/**
 * Whether `name` (a file name, no folder) is a temporary twin of a file named `target`: what
 * writeFileAtomic (and any writer using the same `.NAME.<anything>.tmp` convention) leaves behind when
 * the process dies between creating it and renaming it.
 */
export function isTemporaryFileOf(name: string, target: string): boolean {
  const prefix = `.${target}.`;
  return name.startsWith(prefix) && name.endsWith(TEMP_SUFFIX) && name.length > prefix.length + TEMP_SUFFIX.length;
}

/**
 * Removes the temporary files left in `folder` by interrupted atomic writes of the files named in
 * `targets`, and returns their names. Only call it while no other process writes into the folder: a
 * live writer's temporary file is indistinguishable from a dead one's.
 */
export async function removeTemporaryFiles(folder: string, targets: readonly string[]): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const removed = names.filter((name) => targets.some((target) => isTemporaryFileOf(name, target)));
  for (const name of removed) await rm(join(folder, name), { force: true });
  return removed;
}

/**
 * Writes a file so that readers see either the old content or the new, never a torn mix: the bytes go
 * to a temporary file in the same folder, are flushed to disk, and the temporary file is renamed over
 * the target (an atomic replace on POSIX file systems). On failure the temporary file is removed, the
 * old content is untouched, and the error (ENOSPC, EROFS, ...) names `path`, not the temporary file.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = temporaryPathFor(path);
  try {
    // 'wx': never write into a file someone else created under the same (random) name.
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw nameTarget(error, temp, path);
  }
  await syncFolder(dirname(path));
}

/**
 * A failed write on an open handle carries no path, and one on the temporary file names a file that no
 * longer exists: point both at the file the caller asked for, so messages name something it knows.
 */
function nameTarget(error: unknown, temp: string, path: string): unknown {
  // Node sets `dest` on failed renames, though ErrnoException does not declare it.
  const errno = error as NodeJS.ErrnoException & { dest?: string };
  if (error instanceof Error && typeof errno.code === 'string' && (errno.path === undefined || errno.path === temp)) {
    errno.path = path;
    delete errno.dest;
    if (errno.syscall === undefined || errno.syscall === 'open') errno.syscall = 'write';
  }
  return error;
}

/**
 * Flushes the folder's entry list, so the rename itself survives a power cut (the data was synced
 * before it). Best effort: some file systems cannot open or sync a folder, and the write has happened.
 */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Nothing to do: durability of the rename is a bonus, the content is already in place.
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
