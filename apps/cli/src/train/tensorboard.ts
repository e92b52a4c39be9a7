import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Dataset } from '@vaekit/core';
import type { PictureShape } from '@vaekit/data';
import { tensorBoardLogger, type TensorBoardLogger } from '@vaekit/data/node';
import { UsageError } from '../errors.js';

/** Fixed seed of the TensorBoard sample grids and KL batch, so every epoch shows the same latent draws. */
const TENSORBOARD_SEED = 20240;

/**
 * `--tensorboard DIR`, resolved. An empty value is a usage error rather than the current folder, and so is
 * a path that is a file: both are refused before anything is written.
 */
export function tensorBoardFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError('--tensorboard needs a folder for the event files, e.g. --tensorboard runs/tb');
  const dir = resolve(value);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--tensorboard ${value} is a file; give a folder for the event files`);
  return dir;
}

/** The logger the run's `onStep` and `onEpochEnd` feed, writing into `dir`. */
export function runTensorBoard(dir: string, heldOut: Dataset, shape: PictureShape | null, seed: number): TensorBoardLogger {
  return tensorBoardLogger(dir, {
    validation: heldOut,
    seed: seed + TENSORBOARD_SEED,
    ...(shape ? { pictureShape: shape } : { samples: 0 }),
  });
}

export function tensorBoardNote(dir: string): string {
  return `TensorBoard events go to ${dir}; view them with: tensorboard --logdir ${dir} --host 127.0.0.1`;
}
