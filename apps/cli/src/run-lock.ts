import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeFsError, isFsError, RunError } from './errors.js';

/** The lock file in a run folder; it exists exactly while a `vaekit train` works in the folder. */
export const LOCK_FILE = 'vaekit.lock';

/** What the lock file holds: who owns the folder, so a refusal can name them and a stale lock be told. */
export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  /** The owner's start time in clock ticks since boot (Linux), to tell a reused PID from the owner. */
  processStart: string | null;
  /** Random: the owner removes the lock only if it still holds this token. */
  token: string;
}

export interface RunLock {
  readonly path: string;
  readonly owner: LockOwner;
  /** Lines to show the user about the lock (a stale one taken over). */
  readonly notes: readonly string[];
  /** Removes the lock if it is still this process's; safe to call more than once, and from an exit handler. */
  release(): void;
}

/** A lock file is written in one call right after it is created; a reader that finds it empty waits this long. */
const EMPTY_LOCK_GRACE_MS = 2000;
/** A take-over marker older than this was left by a process that died while taking over a stale lock. */
const STALE_BREAKER_MS = 10_000;

/**
 * Takes the lock on run folder `folder` (which must exist), or throws a RunError naming who holds it.
 * The file is created with O_EXCL ('wx'), so of two processes at most one succeeds. A lock whose owner is
 * gone (its PID is not running on this host, or runs another program) is stale: it is reported in
 * `notes` and taken over. The lock is removed on every exit of the process, including `process.exit`
 * from a signal handler; only SIGKILL or a crash of the machine leaves it behind, and then it is stale.
 */
export async function acquireRunLock(folder: string): Promise<RunLock> {
  const path = join(folder, LOCK_FILE);
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    processStart: processStartOf(process.pid),
    token: randomBytes(8).toString('hex'),
  };
  const notes: string[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    if (tryCreate(path, owner)) return lockHandle(path, owner, notes);
    const held = await readLock(path);
    if (held === 'gone') continue;
    const verdict = held === 'unreadable' ? 'stale' : ownerState(held.owner);
    if (verdict === 'alive') {
      const o = held === 'unreadable' ? null : held.owner;
      throw new RunError(
        `${folder} is in use by another vaekit train (pid ${o?.pid} on ${o?.host}, started ${o?.startedAt}); ` +
          'wait for it to finish or stop it (kill -TERM keeps a checkpoint), or use another --out',
      );
    }
    if (verdict === 'elsewhere') {
      const o = (held as { owner: LockOwner }).owner;
      throw new RunError(
        `${folder} is locked by a vaekit train on another machine (pid ${o.pid} on ${o.host}, started ${o.startedAt}); ` +
          `if that run is no longer running, delete ${path} and retry, or use another --out`,
      );
    }
    if (await takeOver(path, held === 'unreadable' ? null : held.raw)) {
      notes.push(
        held === 'unreadable'
          ? `note: removed an unreadable lock file ${path} (left by a process that died while creating it)`
          : `note: removed a stale lock ${path}: pid ${held.owner.pid} on ${held.owner.host} (started ${held.owner.startedAt}) is no longer running`,
      );
    }
  }
  throw new RunError(`could not lock ${folder}: other processes keep taking and releasing it; retry, or use another --out`);
}

/** Creates the lock file with its content in one write; false when it exists already. */
function tryCreate(path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    // The first write into the folder: a read-only or full disk shows up here.
    if (isFsError(error)) throw new RunError(describeFsError(error, path, 'create the lock file'));
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(owner)}\n`);
  } catch (error) {
    closeSync(fd);
    unlinkSync(path);
    if (isFsError(error)) throw new RunError(describeFsError(error, path, 'write the lock file'));
    throw error;
  }
  closeSync(fd);
  return true;
}

type HeldLock = { owner: LockOwner; raw: string } | 'gone' | 'unreadable';

/** The lock's owner. A lock caught between its creation and its one write is read again until it is written. */
async function readLock(path: string): Promise<HeldLock> {
  const deadline = Date.now() + EMPTY_LOCK_GRACE_MS;
  for (;;) {
    let raw: string;
    try {
      raw = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
      throw error;
    }
    const owner = parseOwner(raw);
    if (owner) return { owner, raw };
    // Empty or torn: either a creator is about to write it, or one died in between. Only age tells.
    let ageMs: number;
    try {
      ageMs = Date.now() - statSync(path).mtimeMs;
    } catch {
      return 'gone';
    }
    if (ageMs > EMPTY_LOCK_GRACE_MS || Date.now() > deadline) return 'unreadable';
    await sleep(50);
  }
}

function parseOwner(raw: string): LockOwner | null {
  try {
    const value = JSON.parse(raw) as Partial<LockOwner>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.token === 'string') {
      return {
        pid: value.pid,
        host: value.host,
        startedAt: typeof value.startedAt === 'string' ? value.startedAt : 'at an unknown time',
        processStart: typeof value.processStart === 'string' ? value.processStart : null,
        token: value.token,
      };
    }
  } catch {
    // Not JSON: treated like an empty lock by the caller.
  }
  return null;
}

/** Whether the owner still runs: on this host we can tell; on another we cannot, so we must not guess. */
export function ownerState(owner: Pick<LockOwner, 'pid' | 'host' | 'processStart'>): 'alive' | 'stale' | 'elsewhere' {
  if (owner.host !== hostname()) return 'elsewhere';
  // Our own PID in someone's lock: a container restarted with the same host name and PID reuses both.
  if (owner.pid === process.pid) return 'stale';
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return 'stale';
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user; it is alive.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'stale';
  }
  // The PID runs, but it may have been reused by another program since the owner died.
  const start = processStartOf(owner.pid);
  if (owner.processStart !== null && start !== null && start !== owner.processStart) return 'stale';
  return 'alive';
}

/**
 * Removes a stale lock, if it still holds `raw` (the content judged stale). A marker file created with
 * O_EXCL makes the check-and-remove one step among processes, so two of them cannot both remove the
 * stale lock and then one remove the lock the other just took. Returns whether it removed the lock.
 */
async function takeOver(path: string, raw: string | null): Promise<boolean> {
  const breaker = `${path}.takeover`;
  let fd: number;
  try {
    fd = openSync(breaker, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    try {
      if (Date.now() - statSync(breaker).mtimeMs > STALE_BREAKER_MS) unlinkSync(breaker);
    } catch {
      // Gone already: its owner finished.
    }
    await sleep(50 + Math.random() * 100);
    return false;
  }
  closeSync(fd);
  try {
    let current: string | null;
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      current = null;
    }
    // Unchanged since judged stale (or judged unreadable and still so): safe to remove.
    if (current !== null && (raw === null ? parseOwner(current) === null : current === raw)) {
      unlinkSync(path);
      return true;
    }
    return false;
  } finally {
    unlinkSync(breaker);
  }
}

function lockHandle(path: string, owner: LockOwner, notes: string[]): RunLock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      const current = parseOwner(readFileSync(path, 'utf8'));
      if (current?.token === owner.token) unlinkSync(path);
    } catch {
      // Already gone (the folder was removed): nothing to release.
    }
  };
  // 'exit' runs on normal ends and on process.exit (the second-signal path); its handlers must be sync.
  process.on('exit', release);
  return { path, owner, notes, release };
}

/** Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot. Null off Linux. */
function processStartOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}
