import { NonFiniteLossError } from '@vaekit/core';
import { DistributedError } from '@vaekit/distributed';
import { describeFsError, isFsError, RunError } from '../errors.js';
import { resumeCommand, type TrainSession } from './session.js';

/**
 * A non-finite loss after a checkpoint becomes its message plus how to resume with a lower rate. A lost
 * peer in a distributed run becomes its message plus the checkpoint every worker restarts from. A
 * file-system error while training (disk full, read-only, folder removed) becomes one line naming the
 * file, the cause and the fix, plus what is left to resume from: the last complete checkpoint, if any.
 */
export function withCheckpointHint(error: unknown, session: TrainSession): unknown {
  if (NonFiniteLossError.isInstance(error) && session.savedStep !== null) {
    // The bad update was never applied, so the last checkpoint is sound: a lower rate can continue from it.
    return new RunError(
      `${error.message} The last checkpoint (step ${session.savedStep}) is intact: resume from it with a lower ` +
        `rate, e.g. ${resumeCommand(session.out)} --lr 1e-4`,
    );
  }
  if (DistributedError.isInstance(error)) {
    const from =
      session.savedStep === null
        ? 'No checkpoint was written, so start every worker over.'
        : `The last checkpoint (step ${session.savedStep}) is intact: restart every worker with --out ${session.out} --resume.`;
    // The way on before TensorFlow's words, which run long.
    const said = error.tensorflowSaid === null ? '' : ` TensorFlow said: ${error.tensorflowSaid}`;
    return new RunError(`${error.summary.trimEnd()} ${from}${said}`, { cause: error });
  }
  if (!isFsError(error)) return error;
  const left =
    session.savedStep === null
      ? 'no checkpoint was written, so rerun the same command once that is fixed'
      : `the last checkpoint (step ${session.savedStep}) is intact: resume with ${resumeCommand(session.out)} once that is fixed`;
  return new RunError(`${describeFsError(error, `a file in ${session.out}`)}; ${left}`);
}
