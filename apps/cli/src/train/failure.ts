import { describeFsError, isFsError, RunError } from '../errors.js';
import { resumeCommand, type TrainSession } from './session.js';

/**
 * A file-system error while training (disk full, read-only, folder removed) becomes one line naming the
 * file, the cause and the fix, plus what is left to resume from: the last complete checkpoint, if any.
 */
export function withCheckpointHint(error: unknown, session: TrainSession): unknown {
  if (!isFsError(error)) return error;
  const left =
    session.savedStep === null
      ? 'no checkpoint was written, so rerun the same command once that is fixed'
      : `the last checkpoint (step ${session.savedStep}) is intact: resume with ${resumeCommand(session.out)} once that is fixed`;
  return new RunError(`${describeFsError(error, `a file in ${session.out}`)}; ${left}`);
}
