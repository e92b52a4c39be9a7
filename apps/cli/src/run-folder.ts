import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statfsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { EpochEvent } from '@vaekit/core';
import { removeTemporaryFiles, writeFileAtomic } from '@vaekit/core/node';
import { describeFsError, isFsError, RunError, UsageError } from './errors.js';
import { LOCK_FILE } from './run-lock.js';

/** The files `vaekit train` writes into its `--out` folder. */
export const RUN_FILES = {
  checkpoint: 'checkpoint.vaekit',
  model: 'model.vaekit',
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
 * File systems that are views of the kernel, not storage: writing a run there fails in strange ways
 * (recursive mkdir under /proc never returns). Magic numbers from linux/magic.h, as statfs reports them.
 */
const SPECIAL_FILE_SYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0xcafe4a11, 'bpf'],
  [0x6165676c, 'pstore'],
  [0x62656570, 'configfs'],
  [0xde5e81e4, 'efivarfs'],
  [0x65735543, 'fusectl'],
  [0x19800202, 'mqueue'],
]);

/** Kernel views by path: /dev is a tmpfs-like devtmpfs by type, so its path is what gives it away. */
function specialByPath(real: string): string | null {
  for (const root of ['/proc', '/sys', '/dev']) {
    if (real === root || real.startsWith(`${root}/`)) {
      // /dev/shm is ordinary shared-memory storage.
      if (root === '/dev' && (real === '/dev/shm' || real.startsWith('/dev/shm/'))) return null;
      return root;
    }
  }
  return null;
}

/** The nearest folder of `path` (itself or an ancestor) that exists, with symbolic links resolved. */
function nearestExisting(path: string): string {
  let current = resolve(path);
  for (;;) {
    if (existsSync(current)) return realpathSync(current);
    const parent = dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

/** Why `path` is on a special file system (a sentence), or null when it is ordinary storage. */
export function specialFileSystem(path: string): string | null {
  const real = nearestExisting(path);
  const root = specialByPath(real);
  if (root) return `${root} is a view of the kernel, not storage`;
  try {
    const type = SPECIAL_FILE_SYSTEMS.get(Number(statfsSync(real).type));
    if (type) return `it is on a ${type} file system, a view of the kernel, not storage`;
  } catch {
    // statfs unsupported here: the path check above is all we can do.
  }
  return null;
}

/**
 * Checks `--out` before anything is loaded: a name at all, not a file, not on a special file system,
 * and a path whose existing part is made of folders. One line naming the path and what to do otherwise.
 */
export function checkOutFolder(out: string): void {
  if (out.trim() === '') throw new UsageError('--out is empty: give the run folder, such as --out runs/first');
  const special = specialFileSystem(out);
  if (special) throw new RunError(`--out ${out} cannot hold a run: ${special}; use a folder on a disk, such as --out runs/first`);
  let stat;
  try {
    stat = statSync(out);
  } catch (error) {
    if (isFsError(error) && error.code === 'ENOENT') return checkParentFolders(out);
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

/** One line of metrics.jsonl: the epoch's terms and nothing that depends on the clock, so reruns compare byte for byte. */
export function metricsLine(event: EpochEvent): Record<string, unknown> {
  return {
    epoch: event.epoch + 1,
    step: event.step,
    train: event.train,
    ...(event.validation ? { validation: event.validation } : {}),
    skippedSteps: event.skippedSteps,
  };
}

/**
 * metrics.jsonl as a function of the run's history: one line per completed epoch, in order. Rewritten
 * whole (atomically) rather than appended, so a resumed run never repeats an epoch's line and ends with
 * the same bytes as a run that was never interrupted.
 */
export async function writeMetrics(out: string, history: readonly EpochEvent[]): Promise<void> {
  const text = history.map((event) => `${JSON.stringify(metricsLine(event))}\n`).join('');
  await writeFileAtomic(runPath(out, 'metrics'), new TextEncoder().encode(text));
}

/** One line of timing.jsonl: wall-clock facts kept apart from metrics.jsonl because they never repeat. */
export interface TimingLine {
  epoch: number;
  step: number;
  /** Time since this process started (or resumed) training. */
  elapsedMs: number;
  /** When the epoch ended. */
  finishedAt: string;
}

/** The timing lines of epochs 1..`epochs`: later ones belong to work the checkpoint does not hold. */
export function readTiming(out: string, epochs: number): TimingLine[] {
  let text: string;
  try {
    text = readFileSync(runPath(out, 'timing'), 'utf8');
  } catch {
    return [];
  }
  const lines: TimingLine[] = [];
  for (const line of text.split('\n')) {
    try {
      const value = JSON.parse(line) as TimingLine;
      if (typeof value.epoch === 'number' && value.epoch <= epochs) lines[value.epoch - 1] = value;
    } catch {
      // A torn or blank line: the timing of that epoch is lost, which is all timing.jsonl can lose.
    }
  }
  return lines.filter((line) => line !== undefined);
}

export async function writeTiming(out: string, lines: readonly TimingLine[]): Promise<void> {
  const text = lines.map((line) => `${JSON.stringify(line)}\n`).join('');
  await writeFileAtomic(runPath(out, 'timing'), new TextEncoder().encode(text));
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`));
}

/** Reads a JSON file the run wrote; a missing, unreadable or damaged one is a RunError naming it. */
export function readJson<T>(path: string, what: string): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (isFsError(error)) throw new RunError(`cannot read ${what}: ${describeFsError(error, path)}`);
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new RunError(`${what} at ${path} is damaged: it is not valid JSON (${(error as Error).message})`);
  }
}
