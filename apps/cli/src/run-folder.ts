import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@vaekit/core/node';
import { UsageError } from './errors.js';

/** The files `vaekit train` writes into its `--out` folder. */
export const RUN_FILES = {
  checkpoint: 'checkpoint.vaekit',
  model: 'model.vaekit',
  config: 'config.json',
  metrics: 'metrics.jsonl',
  samples: 'samples.png',
  reconstructions: 'reconstructions.png',
  interpolation: 'interpolation.png',
} as const;

export function runPath(out: string, file: keyof typeof RUN_FILES): string {
  return join(out, RUN_FILES[file]);
}

/** A folder holding anything at all counts as a run: training into it could clobber someone's files. */
export function isNonEmptyFolder(path: string): boolean {
  return existsSync(path) && readdirSync(path).length > 0;
}

/** `--force`: clear only what a run writes, so stray files of the user's in the folder survive. */
export function removeRunFiles(out: string): void {
  for (const name of Object.values(RUN_FILES)) rmSync(join(out, name), { force: true });
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`));
}

export function readJson<T>(path: string, what: string): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${what} at ${path}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new UsageError(`${what} at ${path} is not valid JSON (${(error as Error).message})`);
  }
}

/** One JSON object per line: appending never rewrites what an earlier epoch wrote. */
export async function appendJsonLine(path: string, value: unknown): Promise<void> {
  await appendFile(path, `${JSON.stringify(value)}\n`);
}

/** The last line of metrics.jsonl, or null: a resumed run continues its elapsed time from there. */
export function lastJsonLine<T>(path: string): T | null {
  if (!existsSync(path)) return null;
  const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '');
  const last = lines.at(-1);
  if (last === undefined) return null;
  try {
    return JSON.parse(last) as T;
  } catch {
    return null;
  }
}
