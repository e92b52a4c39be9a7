import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireRunLock, LOCK_FILE, ownerState } from '../src/run-lock.js';
import { assertBuilt, cli, expectUserError, SLOW, snapshot, start, TINY, waitFor } from './helpers/cli.js';

let dir: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'vaekit-lock-'));
});
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A live process of ours that is not this one: `sleep`, killed at the end. */
function liveProcess(): ChildProcess {
  const child = spawn('sleep', ['120'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

function processStart(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

function writeLock(folder: string, owner: Record<string, unknown>): string {
  mkdirSync(folder, { recursive: true });
  const path = join(folder, LOCK_FILE);
  writeFileSync(path, `${JSON.stringify({ startedAt: '2026-01-01T00:00:00.000Z', processStart: null, token: 'theirs', ...owner })}\n`);
  return path;
}

/** A PID that is not running: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn('true', { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('the run lock (unit)', () => {
  it('is created with the owner\'s PID, host and start time, and removed on release', async () => {
    const folder = join(dir, 'unit-basic');
    mkdirSync(folder);
    const lock = await acquireRunLock(folder);
    const owner = JSON.parse(readFileSync(join(folder, LOCK_FILE), 'utf8')) as Record<string, unknown>;
    expect(owner).toMatchObject({ pid: process.pid, host: hostname() });
    expect(Date.parse(owner['startedAt'] as string)).toBeGreaterThan(Date.now() - 60_000);
    expect(lock.notes).toEqual([]);
    lock.release();
    expect(existsSync(join(folder, LOCK_FILE))).toBe(false);
    lock.release(); // twice is harmless
  });

  it('refuses while the owner lives, naming its PID and host', async () => {
    const folder = join(dir, 'unit-live');
    const owner = liveProcess();
    writeLock(folder, { pid: owner.pid, host: hostname(), processStart: processStart(owner.pid!) });
    await expect(acquireRunLock(folder)).rejects.toThrow(new RegExp(`in use by another vaekit train \\(pid ${owner.pid} on ${hostname()},`));
  });

  it('takes over a stale lock (owner gone, or its PID reused by another program) and says so', async () => {
    const gone = join(dir, 'unit-stale');
    const pid = await deadPid();
    writeLock(gone, { pid, host: hostname() });
    const lock = await acquireRunLock(gone);
    expect(lock.notes).toEqual([expect.stringMatching(new RegExp(`^note: removed a stale lock .*: pid ${pid} on ${hostname()} .* is no longer running$`))]);
    expect(JSON.parse(readFileSync(join(gone, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();

    const reused = join(dir, 'unit-reused');
    const other = liveProcess();
    writeLock(reused, { pid: other.pid, host: hostname(), processStart: '1' });
    expect(ownerState({ pid: other.pid!, host: hostname(), processStart: '1' })).toBe('stale');
    (await acquireRunLock(reused)).release();
  });

  it('refuses a lock held on another host (its PID means nothing here) and says how to clear it', async () => {
    const folder = join(dir, 'unit-elsewhere');
    const path = writeLock(folder, { pid: 4242, host: 'some-other-host' });
    await expect(acquireRunLock(folder)).rejects.toThrow(`if that run is no longer running, delete ${path}`);
  });

  it('takes over an empty lock file left by a process that died while creating it', async () => {
    const folder = join(dir, 'unit-empty');
    mkdirSync(folder);
    const path = join(folder, LOCK_FILE);
    writeFileSync(path, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    const lock = await acquireRunLock(folder);
    expect(lock.notes[0]).toMatch(/removed an unreadable lock file/);
    lock.release();
  });

  it('release leaves a lock that is no longer its own', async () => {
    const folder = join(dir, 'unit-not-mine');
    mkdirSync(folder);
    const lock = await acquireRunLock(folder);
    writeLock(folder, { pid: 1, host: hostname(), token: 'someone-else' });
    lock.release();
    expect(existsSync(join(folder, LOCK_FILE))).toBe(true);
  });
});

describe('vaekit train on a locked folder', () => {
  it('a second train, --resume or --force is refused in one line while the owner runs; the owner finishes unharmed', async () => {
    const out = join(dir, 'busy');
    const owner = start(['train', ...SLOW, '--epochs', '3', '--checkpoint-every', '1', '--out', out]);
    children.push(owner);
    let ownerErr = '';
    owner.stderr!.on('data', (chunk: Buffer) => (ownerErr += chunk.toString()));
    const ownerDone = new Promise<number | null>((resolve) => owner.on('close', resolve));
    // Wait for the first checkpoint, so --resume has something it could resume.
    await waitFor('the first checkpoint', () => {
      if (owner.exitCode !== null) throw new Error(`the owner run ended early (${owner.exitCode}):\n${ownerErr}`);
      return existsSync(join(out, 'checkpoint.vaekit'));
    }, 90_000);
    const refusal = new RegExp(`^error: ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by another vaekit train \\(pid ${owner.pid} on ${hostname()},`);
    const [again, resume, force] = await Promise.all([
      cli(['train', ...TINY, '--out', out]),
      cli(['train', '--out', out, '--resume', '--epochs', '5', '--backend', 'cpu']),
      cli(['train', ...TINY, '--force', '--out', out]),
    ]);
    for (const run of [again, resume, force]) expectUserError(run, refusal);
    owner.kill('SIGTERM');
    expect(await ownerDone, ownerErr).toBe(143);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
    // The refused --force cleared nothing: the owner's settings and checkpoint are still there.
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))).toMatchObject({ args: { epochs: 3, limit: 512 } });
    expect(ownerErr).toMatch(/^stopped at step \d+; checkpoint \(step \d+\) saved to/m);
  });

  it('of two trains started together on one new folder, exactly one runs', async () => {
    const out = join(dir, 'race');
    const runs = await Promise.all([cli(['train', ...TINY, '--out', out]), cli(['train', ...TINY, '--out', out])]);
    const winners = runs.filter((run) => run.code === 0);
    const losers = runs.filter((run) => run.code !== 0);
    expect(winners, runs.map((r) => r.stderr).join('\n---\n')).toHaveLength(1);
    // The loser either met the live lock or, if the winner was already done, its finished run.
    expectUserError(losers[0]!, /is in use by another vaekit train|already holds a run/, losers[0]!.code ?? -1);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  });

  it('a stale lock (owner killed) is reported in one line and taken over', async () => {
    const out = join(dir, 'stale');
    const made = await cli(['train', ...TINY, '--out', out]);
    expect(made.code, made.stderr).toBe(0);
    const pid = await deadPid();
    writeLock(out, { pid, host: hostname() });
    const resumed = await cli(['train', '--out', out, '--resume', '--epochs', '2', '--backend', 'cpu']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr.match(/^note: removed a stale lock .*$/gm)).toEqual([
      expect.stringContaining(`pid ${pid} on ${hostname()} (started 2026-01-01T00:00:00.000Z) is no longer running`),
    ]);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  });

  it('the lock is gone after an error exit, and a refused command changed nothing', async () => {
    const out = join(dir, 'error-exit');
    const made = await cli(['train', ...TINY, '--out', out]);
    expect(made.code, made.stderr).toBe(0);
    const before = snapshot(out);
    expectUserError(await cli(['train', '--out', out, '--resume', '--free-bits', '0.5', '--backend', 'cpu']), /cannot resume with different settings/, 2);
    expect(snapshot(out)).toEqual(before);
  });
});
