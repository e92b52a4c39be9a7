import { existsSync, readFileSync } from 'node:fs';
import type { ModelConfig, RunChange } from '@vaekit/core';
import { writeFileAtomic } from '@vaekit/core/node';
import { describeFsError, isFsError, RunError, UsageError } from '../errors.js';
import { RUN_FILES, runPath } from '../run-folder.js';
import type { SplitRecord } from '../held-out-rows.js';
import { runArgsProblem, type RunArgs } from './run-args.js';

/** The model's config as config.json keeps it: whatever the class records, with its input shape. */
export type SavedModelConfig = ModelConfig & { readonly inputShape: readonly number[] };

/** config.json: the run's settings, its model's config and facts about its data. */
export interface RunConfig {
  vaekit: string;
  createdAt: string;
  args: RunArgs;
  model: SavedModelConfig;
  /**
   * Facts about the data. `split`: the rows of a user's file held out (absent for MNIST, whose held-out
   * data is its test split, and in runs saved before runs recorded it, which held out the last tenth).
   * The binarization is `args.binarize`.
   */
  data: { exampleShape: number[]; trainExamples: number; heldOut: string; split?: SplitRecord };
  /**
   * Settings resumes changed (`--resume --lr`, `--resume --lr-schedule`), in order, each with the step
   * it took effect at; `args` holds the settings in force now. Absent until a resume changes one.
   */
  changes?: RunChange[];
}

export async function writeRunConfig(out: string, config: RunConfig): Promise<void> {
  await writeFileAtomic(runPath(out, 'config'), new TextEncoder().encode(`${JSON.stringify(config, null, 2)}\n`));
}

/** config.json of the run to resume, read once and checked to hold what a resume needs. */
export function readRunConfig(out: string): RunConfig {
  if (!existsSync(out)) throw new UsageError(`no run to resume in ${out}: the folder does not exist`);
  const path = runPath(out, 'config');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (isFsError(error) && error.code === 'ENOENT') throw missingConfig(out);
    if (isFsError(error)) throw new RunError(`cannot read the run config: ${describeFsError(error, path)}`);
    throw error;
  }
  let saved: unknown;
  try {
    saved = JSON.parse(text);
  } catch (error) {
    throw new RunError(`the run config at ${path} is damaged: it is not valid JSON (${(error as Error).message})`);
  }
  const problem = runConfigProblem(saved);
  if (problem) {
    throw new RunError(`cannot resume ${out}: ${path} is damaged (${problem}); restore it, or start over with --force or another --out`);
  }
  // runConfigProblem has checked every field a resume reads.
  return saved as RunConfig;
}

/** A folder without config.json holds no run, or one that lost its settings. */
function missingConfig(out: string): Error {
  return new RunError(
    existsSync(runPath(out, 'checkpoint'))
      ? `cannot resume ${out}: ${RUN_FILES.config} (the run's settings) is missing; restore it, or start over with --force`
      : `no run to resume in ${out} (${RUN_FILES.config} is missing)`,
  );
}

/** Why a parsed config.json cannot be a run's, or null when it has every setting a resume reads. */
function runConfigProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'it is not a JSON object';
  const { args, model } = value as { args?: unknown; model?: unknown };
  if (typeof args !== 'object' || args === null) return "it has no 'args' (the run's settings)";
  if (typeof model !== 'object' || model === null) return "it has no 'model' (the model's config)";
  const m = model as Record<string, unknown>;
  if (typeof m['className'] !== 'string' || !Array.isArray(m['inputShape'])) return "'model' lacks className or inputShape";
  return runArgsProblem(args as Record<string, unknown>);
}
