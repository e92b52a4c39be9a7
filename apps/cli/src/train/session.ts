import type { RunLock } from '../run-lock.js';

/** Where the command is, for what a stop request does and what a second one says. */
export type Phase = 'setup' | 'training';

/** The state a train command shares with its signal handlers and error messages. */
export interface TrainSession {
  readonly out: string;
  phase: Phase;
  /** The step of the newest checkpoint known to be complete on disk, or null when there is none. */
  savedStep: number | null;
  /** A checkpoint write is under way (a second signal would cut it short). */
  saving: boolean;
  /** The step the model has reached. */
  step: number;
  lock: RunLock | null;
}

export function newSession(out: string): TrainSession {
  return { out, phase: 'setup', savedStep: null, saving: false, step: 0, lock: null };
}

/** The command that continues the run, for messages. */
export function resumeCommand(out: string): string {
  return `vaekit train --out ${out} --resume`;
}
