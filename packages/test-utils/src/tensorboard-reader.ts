import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Resolved from this module, which sits one folder below the package root both as source and as built code.
const SCRIPT = fileURLToPath(new URL('../fixtures/read-tensorboard.py', import.meta.url));
const INSTALL_HINT = 'install it with `python3 -m pip install tensorboard` (.ci/run does)';

export interface ReadBack {
  scalars: Record<string, [step: number, value: number][]>;
  histograms: Record<
    string,
    { step: number; num: number; min: number; max: number; sum: number; bucketSum: number; bucketLimits: number[] }[]
  >;
  images: Record<string, { step: number; width: number; height: number; pngWidth: number; pngHeight: number }[]>;
}

/** Why TensorBoard's Python reader cannot run here, or null when it can. */
export function tensorBoardMissing(): string | null {
  const probe = spawnSync('python3', ['-c', 'import tensorboard'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error) return `python3 is not available (${probe.error.message}); install Python 3, then ${INSTALL_HINT}`;
  if (probe.status !== 0) return `python3 cannot import tensorboard; ${INSTALL_HINT}`;
  return null;
}

/** The log folder as TensorBoard's EventAccumulator reads it. */
export function readWithTensorBoard(logdir: string): ReadBack {
  const run = spawnSync('python3', [SCRIPT, logdir], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`read-tensorboard.py exited with ${run.status}:\n${run.stderr}`);
  return JSON.parse(run.stdout) as ReadBack;
}
