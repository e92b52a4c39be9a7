import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Binarization, PictureChannels } from '@vaekit/data';
import { RunError, UsageError } from './errors.js';
import { isSplitRecord, type SplitRecord } from './held-out-rows.js';
import { RUN_FILES } from './run-folder.js';

/** What `eval` and `reconstruct` take from the run that trained a model: its data and how it was read. */
export interface RunFacts {
  readonly folder: string;
  /** `mnist` or the absolute path of the user's file. */
  readonly data: string;
  readonly binarize: Binarization;
  /** The rows held out of a user's file; `tail` for a run saved before runs recorded them. */
  readonly split: SplitRecord | 'tail';
  /** Values per pixel of PNG data. */
  readonly channels: PictureChannels;
}

/**
 * The model file and its run for `--run DIR` or `--model-file PATH`: with `--run`, the folder's
 * model.vaekit and config.json (required); with `--model-file`, the run whose folder holds it when that
 * folder has a config.json, else no run (the model file was copied elsewhere).
 */
export function locateRun(flags: { run?: string | undefined; 'model-file'?: string | undefined }): { modelFile: string | undefined; run: RunFacts | null } {
  if (flags.run !== undefined) {
    if (flags['model-file'] !== undefined) throw new UsageError('--run and --model-file both name the model: give one');
    const config = join(flags.run, RUN_FILES.config);
    if (!existsSync(config)) throw new UsageError(`--run ${flags.run} is not a run folder: it has no ${RUN_FILES.config}`);
    return { modelFile: join(flags.run, RUN_FILES.model), run: readRunFacts(flags.run, true) };
  }
  const modelFile = flags['model-file'];
  if (modelFile === undefined) return { modelFile, run: null };
  const folder = dirname(modelFile);
  return { modelFile, run: existsSync(join(folder, RUN_FILES.config)) ? readRunFacts(folder, false) : null };
}

/** Reads config.json; a damaged one is an error with `--run`, and ignored (no run) beside a model file. */
function readRunFacts(folder: string, required: boolean): RunFacts | null {
  const path = join(folder, RUN_FILES.config);
  let args: Record<string, unknown>;
  let data: Record<string, unknown>;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { args?: unknown; data?: unknown };
    if (typeof parsed.args !== 'object' || parsed.args === null) throw new Error("it has no 'args'");
    args = parsed.args as Record<string, unknown>;
    data = typeof parsed.data === 'object' && parsed.data !== null ? (parsed.data as Record<string, unknown>) : {};
  } catch (error) {
    if (!required) return null;
    throw new RunError(`cannot read the run's settings in ${path}: ${(error as Error).message}; pass --model-file and --data instead`);
  }
  const source = args['data'];
  const binarize = args['binarize'];
  if (typeof source !== 'string' || (binarize !== 'dynamic' && binarize !== 'static' && binarize !== 'none')) {
    if (!required) return null;
    throw new RunError(`the run's settings in ${path} lack its data or binarization; pass --model-file and --data instead`);
  }
  const channels = args['channels'];
  return {
    folder,
    data: source,
    binarize,
    split: isSplitRecord(data['split']) ? data['split'] : 'tail',
    channels: channels === 3 || channels === 4 ? channels : 1,
  };
}

/** The options eval and reconstruct share for choosing the model and its data. */
export const RUN_USAGE = `  --run DIR           a run folder written by vaekit train: its model.vaekit, data and settings
  --model-file PATH   a model.vaekit (inside a run folder, that run's settings apply as with --run)
  --data SOURCE       mnist, a .npy or .csv file, or a folder of PNGs (default: the run's data,
                      else mnist's test split)
  --rows R            held-out (default on the run's own file: the rows training held out) or all
  --binarize B        dynamic, static or none (default: the run's on its own data; else dynamic
                      for mnist with bernoulli, none otherwise)`;
