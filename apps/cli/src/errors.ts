import { BackendUnavailableError } from '@vaekit/backends';
import { CorruptFileError, NonFiniteLossError, UnknownModelError } from '@vaekit/core';
import { DataError } from '@vaekit/data';
import { DistributedError } from '@vaekit/distributed';

/** A mistake in how the CLI was called (a bad flag value, a missing file): printed as one line, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * A problem with the run, its folder or the machine that the user fixes from the message alone (the
 * folder is locked by another run, the disk is full, config.json is damaged): one line, exit 1.
 */
export class RunError extends Error {
  override readonly name = 'RunError';
}

/**
 * Exit codes, documented in the CLI's README. 130 and 143 promise that a checkpoint was written; a run
 * stopped without one (a second signal, or a signal before training began) exits with EXIT_STOPPED,
 * which promises nothing, so scripts never resume from a checkpoint that is not there.
 */
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;
export const EXIT_STOPPED = 3;
/** 128 + SIGINT: stopped by Ctrl-C after writing a checkpoint. */
export const EXIT_INTERRUPTED = 130;
/** 128 + SIGTERM: stopped by `timeout`, Docker or a scheduler after writing a checkpoint. */
export const EXIT_TERMINATED = 143;

/** parseArgs reports unknown flags and missing values as TypeErrors carrying one of these codes. */
function isParseArgsError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** What each file-system error means for the user, and what to do about it. */
const FS_CAUSES: Readonly<Record<string, { cause: string; fix: string }>> = {
  ENOSPC: { cause: 'the disk is full', fix: 'free some space, or use a folder on another disk' },
  EDQUOT: { cause: 'the disk quota is used up', fix: 'free some space, or use a folder on another disk' },
  EFBIG: { cause: 'the file is too large for this file system', fix: 'use a folder on another disk' },
  EROFS: { cause: 'the file system is read-only', fix: 'use a writable folder' },
  EACCES: { cause: 'permission denied', fix: 'check its permissions, or use another path' },
  EPERM: { cause: 'operation not permitted', fix: 'check its permissions, or use another path' },
  EISDIR: { cause: 'it is a folder, not a file', fix: 'give the path of a file' },
  ENOTDIR: { cause: 'a part of the path is a file, not a folder', fix: 'check the path' },
  ENOENT: { cause: 'no such file or folder', fix: 'check the path, or create the folder first' },
  ENAMETOOLONG: { cause: 'the path is too long', fix: 'use a shorter path' },
  ELOOP: { cause: 'the path has a loop of symbolic links', fix: 'check the path' },
  EMFILE: { cause: 'too many open files', fix: 'raise the limit (ulimit -n) or close other programs' },
  ENFILE: { cause: 'too many open files on this machine', fix: 'close other programs and retry' },
  EIO: { cause: 'an input/output error (a failing disk or a lost network mount?)', fix: 'check the disk, or use another folder' },
  EBUSY: { cause: 'the file or device is busy', fix: 'retry once the other program is done, or use another path' },
  EXDEV: { cause: 'it is on another file system than its temporary file', fix: 'use a plain local folder' },
  ESTALE: { cause: 'the network file handle went stale', fix: 'remount the share, or use a local folder' },
  EEXIST: { cause: 'it already exists', fix: 'remove it, or use another path' },
};

/** Words for the system call that failed: "cannot <verb> <path>". */
const FS_VERBS: Readonly<Record<string, string>> = {
  mkdir: 'create the folder',
  open: 'open',
  read: 'read',
  write: 'write',
  rename: 'write',
  fsync: 'write',
  close: 'write',
  scandir: 'list the folder',
  stat: 'access',
  lstat: 'access',
  access: 'access',
  unlink: 'remove',
  rm: 'remove',
  rmdir: 'remove',
  realpath: 'access',
  statfs: 'access',
};

/** A Node file-system error (it carries an errno code such as ENOSPC). */
export function isFsError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code in FS_CAUSES;
}

/**
 * One line for a file-system error: the path, the cause and what to do, e.g. "cannot write
 * runs/x/checkpoint.vaekit: the disk is full (ENOSPC); free some space, or use a folder on another disk".
 * `where` names the file or folder when the error itself does not (a failed write on an open handle);
 * `doing` replaces the verb the system call suggests ("open" says little).
 */
export function describeFsError(
  error: NodeJS.ErrnoException & { code: string; dest?: string },
  where?: string,
  doing?: string,
): string {
  // Node sets `dest` on failed renames and links, though ErrnoException does not declare it.
  const { cause, fix } = FS_CAUSES[error.code]!;
  const path = error.path ?? where;
  const verb = doing ?? (error.syscall && FS_VERBS[error.syscall]) ?? 'use';
  const target = error.dest ? `${path} (to ${error.dest})` : path;
  return target ? `cannot ${verb} ${target}: ${cause} (${error.code}); ${fix}` : `${cause} (${error.code}); ${fix}`;
}

/**
 * Errors the user can fix from the message alone: they get one `error: ...` line and no stack.
 * Anything else is a bug in vaekit or below, and its stack is worth printing.
 */
export function isUserError(error: unknown): error is Error {
  return (
    error instanceof UsageError ||
    error instanceof RunError ||
    DataError.isInstance(error) ||
    UnknownModelError.isInstance(error) ||
    CorruptFileError.isInstance(error) ||
    BackendUnavailableError.isInstance(error) ||
    NonFiniteLossError.isInstance(error) ||
    // A lost or late peer: the message names it and says to restart every worker.
    DistributedError.isInstance(error) ||
    error instanceof RangeError ||
    isFsError(error) ||
    isParseArgsError(error)
  );
}

export function exitCodeFor(error: unknown): number {
  return error instanceof UsageError || isParseArgsError(error) ? EXIT_USAGE : EXIT_ERROR;
}

/** Writes the error to stderr the way the CLI promises: one line for user errors, a stack otherwise. */
export function reportError(error: unknown, debug: boolean): void {
  if (isUserError(error)) {
    const message = isFsError(error) ? describeFsError(error) : error.message;
    process.stderr.write(`error: ${oneLine(message)}\n`);
    // --debug: the stack too, for reporting a message that looks wrong.
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    return;
  }
  const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  process.stderr.write(`error: unexpected failure (this is a bug in vaekit or a library below it)\n${text}\n`);
}

export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
