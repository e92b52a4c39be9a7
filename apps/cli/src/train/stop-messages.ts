import { RUN_FILES } from '../run-folder.js';
import type { StopHandlers, StopSignal } from '../stop-signals.js';
import { resumeCommand, type TrainSession } from './session.js';

/** What train says on a first and a second stop signal, from what the session has reached. */
export function trainStopHandlers(session: TrainSession): StopHandlers {
  return {
    first: (signal) =>
      session.phase === 'setup'
        ? `${signalName(signal)}: stopping before training starts (${again(signal)} to stop at once)`
        : `${signalName(signal)}: stopping at the next step and writing a checkpoint (${again(signal)} to stop at once, without one)`,
    second: (signal) => `second ${signalName(signal)}: stopping now without a checkpoint; ${secondSignalOutcome(session)}`,
    write: (line) => process.stderr.write(`${line}\n`),
  };
}

function signalName(signal: StopSignal): string {
  return signal === 'SIGINT' ? 'interrupted (Ctrl-C)' : 'SIGTERM';
}

function again(signal: StopSignal): string {
  return signal === 'SIGINT' ? 'Ctrl-C again' : 'send it again';
}

/** What the folder holds after a second signal, truthfully: never a checkpoint that is not there. */
function secondSignalOutcome(session: TrainSession): string {
  const resume = `resume with: ${resumeCommand(session.out)}`;
  if (session.phase === 'setup') return 'nothing was written';
  if (session.saving) {
    return session.savedStep === null
      ? `the first checkpoint was being written and may not be complete (if ${RUN_FILES.checkpoint} is missing, rerun the same command to start over)`
      : `a checkpoint write was cut short; the last complete one (step ${session.savedStep} or newer) is kept; ${resume}`;
  }
  return session.savedStep === null
    ? 'none was written yet, so there is nothing to resume: rerun the same command to start over'
    : `the last checkpoint (step ${session.savedStep}) is kept; ${resume}`;
}
