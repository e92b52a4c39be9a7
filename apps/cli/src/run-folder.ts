import { existsSync, mkdirSync, readdirSync, rmSync, statSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { removeTemporaryFiles } from '@vaekit/core/node';
import { describeFsError, isFsError, RunError, UsageError } from './errors.js';
import { LOCK_FILE } from './run-lock.js';
import { specialFileSystem } from './special-file-system.js';

/** The files `vaekit train` writes into its `--out` folder. */
export const RUN_FILES = {
  checkpoint: 'checkpoint.vaekit',
  model: 'model.vaekit',
  best: 'best.vaekit',
  config: 'config.json',
  metrics: 'metrics.jsonl',
  timing: 'timing.jsonl',
  samples: 'samples.png',
  reconstructions: 'reconstructions.png',
  interpolation: 'interpolation.png',
} as const;

export function runPath(out: string, file: keyof typeof RUN_FILES): string {
  return join(out, RUN_FILES[file]);
}

const RUN_FILE_NAMES: readonly string[] = Object.values(RUN_FILES);

/**
 * What an `--out` folder holds, for deciding whether a plain `train` may start in it:
 * - `missing` or `empty`: start;
 * - `run`: a checkpoint, i.e. a run to resume (or `--force` to start over);
 * - `unfinished`: run files but no checkpoint: a run stopped before its first checkpoint, which
 *   holds nothing to resume, so a plain rerun starts it over;
 * - `foreign`: files vaekit did not write; training could clobber someone's work.
 */
export type FolderState =
  | { kind: 'missing' | 'empty' }
  | { kind: 'run' }
  | { kind: 'unfinished'; files: string[] }
  | { kind: 'foreign'; files: string[] };

export function inspectRunFolder(out: string): FolderState {
  if (!existsSync(out)) return { kind: 'missing' };
  const names = readdirSync(out).filter((name) => name !== LOCK_FILE && name !== `${LOCK_FILE}.takeover`);
  if (names.length === 0) return { kind: 'empty' };
  if (names.includes(RUN_FILES.checkpoint)) return { kind: 'run' };
  const foreign = names.filter((name) => !RUN_FILE_NAMES.includes(name) && !isTemporaryRunFile(name));
  if (foreign.length > 0) return { kind: 'foreign', files: foreign };
  return { kind: 'unfinished', files: names };
}

/** A torn atomic write of a run file: `.checkpoint.vaekit.<random>.tmp`, `.samples.png.<pid>.<random>.tmp`. */
function isTemporaryRunFile(name: string): boolean {
  return RUN_FILE_NAMES.some((file) => name.startsWith(`.${file}.`) && name.endsWith('.tmp'));
}

/** Removes what interrupted atomic writes left in the run folder; call it only while holding the run lock. */
export async function removeTornWrites(out: string): Promise<string[]> {
  return removeTemporaryFiles(out, RUN_FILE_NAMES);
}

/** `--force`, or restarting an unfinished run: clear only what a run writes, so stray files of the user's survive. */
export function removeRunFiles(out: string): void {
  for (const name of RUN_FILE_NAMES) rmSync(join(out, name), { force: true });
}

/**
 * Checks `--out` before anything is loaded: a name at all, not a file, not on a special file system,
 * and a path whose existing part is made of folders. One line naming the path and what to do otherwise.
 */
export function checkOutFolder(out: string): void {
  if (out.trim() === '') throw new UsageError('--out is empty: give the run folder, such as --out runs/first');
  const special = specialFileSystem(out);
  if (special) throw new RunError(`--out ${out} cannot hold a run: ${special}; use a folder on a disk, such as --out runs/first`);
  let stat: Stats;
  try {
    stat = statSync(out);
  } catch (error) {
    if (isFsError(error) && error.code === 'ENOENT') {
      checkParentFolders(out);
      return;
    }
    if (isFsError(error)) throw new RunError(`--out: ${describeFsError(error)}`);
    throw error;
  }
  if (!stat.isDirectory()) throw new RunError(`--out ${out} is a file, not a folder; --out takes a folder (created if missing): use another path`);
}

/** The folder does not exist yet: every existing ancestor must be a folder, or mkdir fails with ENOTDIR. */
function checkParentFolders(out: string): void {
  let current = dirname(resolve(out));
  for (;;) {
    if (existsSync(current)) {
      if (!statSync(current).isDirectory()) {
        throw new RunError(`--out ${out} cannot be created: ${current} is a file, not a folder; use another path`);
      }
      return;
    }
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

/**
 * Creates the run folder and any missing parents, one level at a time: Node's recursive mkdir reports
 * a read-only parent as ENOENT, and loops forever under /proc; plain mkdir reports the real cause.
 */
export function makeRunFolder(out: string): void {
  const missing: string[] = [];
  for (let current = resolve(out); !existsSync(current); current = dirname(current)) {
    missing.unshift(current);
    if (dirname(current) === current) break;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      // Another process made it in between: fine, the lock decides who uses it.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
