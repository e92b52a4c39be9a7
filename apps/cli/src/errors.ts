import { BackendUnavailableError } from '@vaekit/backends';
import { CorruptFileError, NonFiniteLossError, UnknownModelError } from '@vaekit/core';
import { DataError } from '@vaekit/data';

/** A mistake in how the CLI was called (a bad flag value, a missing file): printed as one line, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit codes: 1 for errors in the data/model/run, 2 for a wrong invocation, 130 after Ctrl-C (128 + SIGINT). */
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** parseArgs reports unknown flags and missing values as TypeErrors carrying one of these codes. */
function isParseArgsError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/**
 * Errors the user can fix from the message alone: they get one `error: ...` line and no stack.
 * Anything else is a bug in vaekit or below, and its stack is worth printing.
 */
export function isUserError(error: unknown): error is Error {
  return (
    error instanceof UsageError ||
    error instanceof DataError ||
    error instanceof UnknownModelError ||
    error instanceof CorruptFileError ||
    error instanceof BackendUnavailableError ||
    error instanceof NonFiniteLossError ||
    error instanceof RangeError ||
    isParseArgsError(error)
  );
}

export function exitCodeFor(error: unknown): number {
  return error instanceof UsageError || isParseArgsError(error) ? EXIT_USAGE : EXIT_ERROR;
}

/** Writes the error to stderr the way the CLI promises: one line for user errors, a stack otherwise. */
export function reportError(error: unknown, debug: boolean): void {
  if (isUserError(error)) {
    process.stderr.write(`error: ${oneLine(error.message)}\n`);
    // --debug: the stack too, for reporting a message that looks wrong.
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    return;
  }
  const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  process.stderr.write(`error: unexpected failure (this is a bug in vaekit or a library below it)\n${text}\n`);
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
