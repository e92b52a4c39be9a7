import { EXIT_INTERRUPTED, EXIT_STOPPED, EXIT_TERMINATED } from './errors.js';

/** The signals that ask a run to stop: Ctrl-C, and what `timeout`, `docker stop` and schedulers send. */
export type StopSignal = 'SIGINT' | 'SIGTERM';
const STOP_SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM'];
/** After a signal absorbed while the process ends: long enough for any report and exit, short for a user. */
export const ABSORBED_EXIT_MS = 5_000;

/** Signals received after the run's handling ended; installed once, for the rest of the process. */
let absorbing = false;
function absorbLateSignals(): void {
  if (absorbing) return;
  absorbing = true;
  const absorb = (): void => {
    // Unref'd: a process on its way out is not held up; one that hangs still ends.
    setTimeout(() => process.exit(EXIT_STOPPED), ABSORBED_EXIT_MS).unref();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, absorb);
}

export interface StopRequests {
  /** Aborted by the first signal: the trainer stops at the next step boundary and writes a checkpoint. */
  readonly signal: AbortSignal;
  /** The first signal received, or null. */
  readonly received: StopSignal | null;
  /** The exit code promising a checkpoint was written after `received`: 130 (SIGINT) or 143 (SIGTERM). */
  exitCodeWithCheckpoint(): number;
  /**
   * Ends the run's handling of stop signals. A signal after this, while the process reports how the run
   * ended and exits, is absorbed: what it asks for is under way, and the default action would kill the
   * process before its last lines (an error, a checkpoint hint) are written. Should the process still be
   * alive ABSORBED_EXIT_MS after such a signal, it exits with EXIT_STOPPED.
   */
  dispose(): void;
}

export interface StopHandlers {
  /** The line printed on the first signal (the run goes on to the next step boundary). */
  first(signal: StopSignal): string;
  /** The line printed on a second signal, just before the process exits with EXIT_STOPPED (3). */
  second(signal: StopSignal): string;
  write(line: string): void;
}

/**
 * Turns SIGINT and SIGTERM into a graceful stop: the first aborts `signal` (the caller writes a
 * checkpoint and exits 130 or 143); a second exits at once with EXIT_STOPPED, whose documented meaning
 * is "no new checkpoint", after printing what it did. The process's 'exit' handlers still run then
 * (the run lock is released by one).
 */
export function handleStopSignals(handlers: StopHandlers): StopRequests {
  const controller = new AbortController();
  let received: StopSignal | null = null;
  const on = (signal: StopSignal): void => {
    if (received !== null) {
      handlers.write(handlers.second(signal));
      process.exit(EXIT_STOPPED);
    }
    received = signal;
    handlers.write(handlers.first(signal));
    controller.abort();
  };
  const listeners = STOP_SIGNALS.map((signal) => [signal, () => on(signal)] as const);
  for (const [signal, listener] of listeners) process.on(signal, listener);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    exitCodeWithCheckpoint: () => (received === 'SIGTERM' ? EXIT_TERMINATED : EXIT_INTERRUPTED),
    dispose() {
      // Absorbing first: between the two, a signal would meet the default action.
      absorbLateSignals();
      for (const [signal, listener] of listeners) process.off(signal, listener);
    },
  };
}
