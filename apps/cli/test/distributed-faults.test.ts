import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@vaekit/variants';
import { useCpu } from '@vaekit/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli, expectUserError, jsonLines } from './helpers/cli.js';
import { inNamespace, type NamespaceRun } from './helpers/namespace.js';
import { expectSameRun } from './helpers/run-compare.js';
import { commandLine, descendants, isAlive, killAll } from './helpers/processes.js';

// A worker of `vaekit launch` that dies (kill -9) or hangs (SIGSTOP) mid-training: the chief fails naming it,
// launch exits non-zero with nothing left running, and the chief's last checkpoint resumes. Every launch
// runs in a private network namespace (helpers/namespace.ts) and FAILS where one cannot be made.

// Global batches of 48 over 288 examples: 6 steps an epoch.
const RUN = ['--limit', '288', '--batch-size', '48', '--hidden', '32', '--latent-dim', '4', '--seed', '3'];
const HEARTBEAT_S = 3;
const HEARTBEAT_MS = HEARTBEAT_S * 1000;
// The chief's health check of each peer after a failure (2 s) and room for a loaded machine; less than the
// 10 s of TensorFlow's default heartbeat timeout, so a hang caught in time shows the flag reached the ServerDef.
const DETECT_MARGIN_MS = 7_500;
// From the fault to launch's exit: detection, the other worker's exit, and less than launch's 20 s grace
// before it kills a worker that ignores SIGTERM, so a stopped worker must have been dealt with at once.
const EXIT_MARGIN_MS = 12_000;
// The chief's one-line error naming the lost peer (the op that failed depends on --compile).
const LOST_WORKER_1 = /^\[worker 0\] error: .* failed on worker 0 \(127\.0\.0\.1:\d+\): lost worker 1 \(127\.0\.0\.1:\d+\)\. /m;

let dir: string;
beforeAll(async () => {
  assertBuilt();
  // Only to read the model files back.
  await useCpu();
  dir = mkdtempSync(join(tmpdir(), 'vaekit-faults-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Faulted {
  run: NamespaceRun;
  /** Both workers' pids, as found when the fault was made. */
  workers: number[];
  victim: number;
  /** Date.now() when the signal was sent. */
  faultAt: number;
  /** Date.now() when the chief's error line arrived, if it did. */
  chiefErrorAt: number | null;
}

/**
 * `vaekit launch --workers 2 -- train ...` in a namespace; once `ready` matches its stderr (and worker 1 has
 * printed its pid), worker 1 gets `signal`. Whatever happens, no worker outlives the call.
 */
async function launchAndFault(out: string, epochs: number, signal: NodeJS.Signals, ready: RegExp): Promise<Faulted> {
  let workers: number[] = [];
  let victim: number | null = null;
  let faultAt: number | null = null;
  let chiefErrorAt: number | null = null;
  const args = ['launch', '--workers', '2', '--', 'train', ...RUN, '--epochs', String(epochs), '--heartbeat-timeout', String(HEARTBEAT_S), '--out', out];
  try {
    const run = await inNamespace(args, {
      timeoutMs: 120_000,
      onStderr: (stderr, launchPid) => {
        if (chiefErrorAt === null && /^\[worker 0\] error:/m.test(stderr)) chiefErrorAt = Date.now();
        const joined = /worker 1: joined 2 workers \(pid (\d+);/.exec(stderr);
        if (faultAt !== null || !joined || !ready.test(stderr)) return;
        victim = Number(joined[1]);
        workers = descendants(launchPid).filter((pid) => commandLine(pid).includes('--distributed'));
        process.kill(victim, signal);
        faultAt = Date.now();
      },
    });
    expect(faultAt, `the fault was never made; stderr:\n${run.stderr}`).not.toBeNull();
    return { run, workers, victim: victim!, faultAt: faultAt!, chiefErrorAt };
  } finally {
    killAll(workers);
  }
}

/** Launch failed as one process would want: code 1, no stack trace or "bug" report, no worker left. */
function expectCleanFailure({ run, workers, victim }: Faulted): void {
  expect(run.code, run.stderr).toBe(1);
  expect(workers, 'the two workers, found under launch').toHaveLength(2);
  expect(workers).toContain(victim);
  expect(workers.filter(isAlive)).toEqual([]);
  expect(run.stderr).not.toMatch(/bug in vaekit/);
  expect(run.stderr).not.toMatch(/^\[worker \d\]\s+at /m);
}

describe('vaekit train --heartbeat-timeout and --start-timeout', () => {
  it('take a positive number of seconds, with --distributed only', async () => {
    const out = join(dir, 'refused');
    for (const flag of ['--heartbeat-timeout', '--start-timeout']) {
      expectUserError(await cli(['train', flag, '5', '--out', out]), new RegExp(`${flag} is for a distributed run: add --distributed`), 2);
      for (const [value, message] of [
        ['0', `${flag} must be a number > 0, got 0`],
        ['-2', `${flag} must be a number > 0, got -2`],
        ['soon', `${flag} must be a number, got 'soon'`],
        ['0.0001', `${flag} must be a number of seconds from 0\\.001 to 86400, got 0\\.0001`],
        ['1e9', `${flag} must be a number of seconds from 0\\.001 to 86400, got 1e9`],
      ] as const) {
        expectUserError(await cli(['train', '--distributed', flag, value, '--out', out]), new RegExp(message), 2);
      }
    }
    const help = await cli(['train', '--help']);
    expect(help.stdout).toMatch(/^ {2}--heartbeat-timeout S {3}with --distributed: a worker silent for S seconds/m);
    expect(help.stdout).toMatch(/^ {2}--start-timeout S {7}with --distributed: how long each worker waits/m);
  });

  it('a worker whose peer never starts fails after --start-timeout, naming the missing worker', async () => {
    const START_S = 3;
    const cluster = { worker: ['127.0.0.1:23456', '127.0.0.1:23457'] };
    const started = Date.now();
    const run = await inNamespace(['train', ...RUN, '--distributed', '--start-timeout', String(START_S), '--out', join(dir, 'alone')], {
      env: { TF_CONFIG: JSON.stringify({ cluster, task: { type: 'worker', index: 0 } }) },
      timeoutMs: 60_000,
    });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^error: worker 0 \(127\.0\.0\.1:23456\) could not join the cluster \(not up: worker 1 \(127\.0\.0\.1:23457\)\)/m);
    expect(run.stderr).toMatch(/timeout is currently set to: 3s/);
    expect(run.stderr).not.toMatch(/bug in vaekit/);
    // Loading the backend and the data, the 3 s wait, the peer check: well under the 60 s default.
    expect(run.endedAt - started).toBeLessThan(START_S * 1000 + 20_000);
  }, 90_000);
});

describe('a worker of vaekit launch lost mid-training', () => {
  const killed = (): string => join(dir, 'killed');
  let lastCheckpoint: number | null = null;

  it('kill -9 of worker 1 after the first checkpoint: launch exits 1 within seconds, the chief names it and its checkpoint', async () => {
    const faulted = await launchAndFault(killed(), 3, 'SIGKILL', /^\[worker 0\] epoch 1\/3 done/m);
    const { run, faultAt } = faulted;
    expectCleanFailure(faulted);
    expect(run.endedAt - faultAt, run.stderr).toBeLessThan(HEARTBEAT_MS + EXIT_MARGIN_MS);
    // Which end launch sees first depends on the machine's load: the kill, or the chief's error exit.
    expect(run.stderr).toMatch(/^\[launch\] worker 1 ended with signal SIGKILL(; stopping the others)?$/m);
    // The chief ends with its own error, whatever signals launch sends it meanwhile.
    expect(run.stderr).toMatch(/^\[launch\] worker 0 ended with 1(; stopping the others)?$/m);
    expect(run.stderr).toMatch(LOST_WORKER_1);
    // The way on comes before TensorFlow's own (long) words.
    const left = new RegExp(`^\\[worker 0\\] error: .*\\): lost worker 1 \\([^)]*\\)\\. The last checkpoint \\(step (\\d+)\\) is intact: restart every worker with --out ${killed()} --resume\\. TensorFlow said: .+$`, 'm').exec(run.stderr);
    expect(left, run.stderr).not.toBeNull();
    lastCheckpoint = Number(left![1]);
    // Killed after epoch 1's checkpoint and before the run's end.
    expect(lastCheckpoint).toBeGreaterThanOrEqual(6);
    expect(lastCheckpoint).toBeLessThan(18);
  }, 150_000);

  it("launch --resume continues from the chief's last checkpoint and ends bit for bit where an uninterrupted run does", async () => {
    expect(lastCheckpoint, 'needs the kill -9 case').not.toBeNull();
    const resumed = await inNamespace(['launch', '--workers', '2', '--', 'train', '--out', killed(), '--resume'], { timeoutMs: 120_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`^\\[worker 0\\] resuming ${killed()} from step ${lastCheckpoint} `, 'm'));
    expect(resumed.stdout).toMatch(new RegExp(`^\\[worker 0\\] done: 3 epoch\\(s\\), 18 steps \\(resumed from step ${lastCheckpoint}\\)$`, 'm'));
    expect(resumed.stderr).toMatch(/^\[worker 1\] worker 1: done: 18 steps$/m);
    expect(jsonLines(join(killed(), 'metrics.jsonl')).map((line) => line['epoch'])).toEqual([1, 2, 3]);
    // Exactly where the same two workers end without the kill: every metric and weight bit for bit.
    const reference = join(dir, 'uninterrupted');
    const whole = await inNamespace(['launch', '--workers', '2', '--', 'train', ...RUN, '--epochs', '3', '--out', reference], { timeoutMs: 120_000 });
    expect(whole.code, whole.stderr).toBe(0);
    await expectSameRun(killed(), reference, 0);
  }, 240_000);

  it('SIGSTOP of worker 1: the chief fails within the heartbeat timeout naming it, launch ends the hung worker and exits 1', async () => {
    const faulted = await launchAndFault(join(dir, 'hung'), 40, 'SIGSTOP', /^\[worker 0\] epoch 1\/40 +batch \d+\//m);
    const { run, faultAt, chiefErrorAt } = faulted;
    expectCleanFailure(faulted);
    expect(chiefErrorAt, run.stderr).not.toBeNull();
    expect(chiefErrorAt! - faultAt, run.stderr).toBeLessThan(HEARTBEAT_MS + DETECT_MARGIN_MS);
    expect(run.endedAt - faultAt, run.stderr).toBeLessThan(HEARTBEAT_MS + EXIT_MARGIN_MS);
    expect(run.stderr).toMatch(LOST_WORKER_1);
    // TensorFlow's coordination service, not a broken connection, caught the hang (a stopped process's socket stays open).
    expect(run.stderr).toMatch(/stopped sending heartbeats/);
    expect(run.stderr).toMatch(/^\[launch\] worker 0 ended with 1; stopping the others$/m);
  }, 150_000);
});
