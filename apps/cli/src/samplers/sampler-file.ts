import { existsSync, readFileSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { deserializeSampler, serializeSampler, UnknownSamplerError, type LatentSampler } from '@vaekit/core';
import { writeFileAtomic } from '@vaekit/core/node';
import { describeFsError, isFsError, RunError, UsageError } from '../errors.js';
import { specialFileSystem } from '../special-file-system.js';

/** Where fit-sampler writes without `--out`: `sampler-NAME.vaekit` beside the model file. */
export function defaultSamplerPath(modelFile: string, name: string): string {
  return join(dirname(modelFile), `sampler-${name}.vaekit`);
}

/**
 * The samples grid fit-sampler writes beside the sampler file: `samples-NAME.png` for the default
 * `sampler-NAME.vaekit`, else the sampler file's own name with `.png`, so fits written to different
 * files never overwrite each other's pictures.
 */
export function samplesPathBeside(samplerFile: string, name: string): string {
  const file = basename(samplerFile);
  if (file === `sampler-${name}.vaekit`) return join(dirname(samplerFile), `samples-${name}.png`);
  return join(dirname(samplerFile), `${file.replace(/\.vaekit$/, '')}.png`);
}

/** Checks the sampler file can be written there before any work: not a folder, in a folder that exists. */
export function checkSamplerOutput(path: string): string {
  if (path.trim() === '') throw new UsageError('--out needs a file path: the sampler file to write');
  const special = specialFileSystem(path);
  if (special) throw new RunError(`--out ${path} cannot be written: ${special}; write the sampler file to a folder on a disk`);
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new RunError(`--out ${path} is a folder; give the sampler file to write, such as ${join(path, 'sampler.vaekit')}`);
  }
  const folder = dirname(resolve(path));
  if (!existsSync(folder)) throw new RunError(`cannot write ${path}: the folder ${dirname(path)} does not exist; create it first, or choose another path`);
  if (!statSync(folder).isDirectory()) throw new RunError(`cannot write ${path}: ${dirname(path)} is a file, not a folder; choose another path`);
  return path;
}

export async function writeSamplerFile(path: string, sampler: LatentSampler): Promise<void> {
  await writeFileAtomic(path, await serializeSampler(sampler));
}

/**
 * Checks `--sampler` names an existing regular file: called before the backend loads, so a typo fails
 * fast, and before reading, so a folder or a device is never read.
 */
export function requireSamplerFile(path: string): string {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch (error) {
    if (isFsError(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) {
      throw new UsageError(`no sampler file at ${path} (vaekit fit-sampler writes one)`);
    }
    if (isFsError(error)) throw new RunError(`--sampler: ${describeFsError(error)}`);
    throw error;
  }
  if (!stat.isFile()) throw new RunError(`--sampler ${path} is not a regular file; give a sampler file written by vaekit fit-sampler`);
  return path;
}

/** Loads a sampler file; a damaged one fails with core's one-line CorruptFileError, an unknown kind names the registered ones. */
export async function readSamplerFile(path: string): Promise<LatentSampler> {
  const bytes = new Uint8Array(readFileSync(requireSamplerFile(path)));
  try {
    return await deserializeSampler(bytes, path);
  } catch (error) {
    if (UnknownSamplerError.isInstance(error)) throw new RunError(`${path} holds a sampler this vaekit does not know: ${error.message}`);
    throw error;
  }
}
