import { checkpointStanding, decodeCheckpoint, type DecodedCheckpoint } from '@vaekit/core';
import { readFileIfExists } from '@vaekit/core/node';
import { RunError, UsageError } from '../errors.js';
import { runPath } from '../run-folder.js';

/** The decoded checkpoint a resume continues from, and whether it already ends the run. */
export interface ResumePoint {
  checkpoint: DecodedCheckpoint;
  /**
   * Every epoch is trained. Still resumable: a kill after the last checkpoint but before the epoch's
   * model, pictures and metrics line were written left them behind, and the resume completes them.
   */
  complete: boolean;
}

/**
 * The checkpoint to resume from, decoded (so a damaged one fails now), against the run's `epochs`.
 * Core decides where it stands; asking for fewer epochs than it holds is a wrong --epochs.
 */
export async function readResumePoint(out: string, epochs: number): Promise<ResumePoint> {
  const path = runPath(out, 'checkpoint');
  const bytes = await readFileIfExists(path);
  if (!bytes) {
    throw new RunError(
      `${out} holds a run that stopped before its first checkpoint, so there is nothing to resume: rerun without --resume to start it over`,
    );
  }
  const checkpoint = await decodeCheckpoint(bytes, path);
  const standing = checkpointStanding(checkpoint.state, epochs);
  if (standing === 'beyond') {
    const done = checkpoint.state.epoch;
    throw new UsageError(`the run in ${out} already completed ${done} epoch(s); pass --epochs N with N > ${done} to train further`);
  }
  return { checkpoint, complete: standing === 'complete' };
}
