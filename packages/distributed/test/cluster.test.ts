import { describe, expect, it } from 'vitest';

import { type ClusterRun, type TaskRun, eventOf, runCluster } from './cluster/harness.js';

// Real clusters of worker processes on the native backend, each cluster inside its own private network
// namespace (cluster/harness.ts): they need root and `unshare`, and FAIL rather than skip without them.
// The workers run the built package (`pnpm test` builds first).

interface TensorReport {
  shape: number[];
  dtype: string;
  values: number[];
}

// What each rank offers (worker.mjs's 'sums' mode): rank r holds (r + 1) times these.
const BASES = [[1, 2, 3, 4, 5, 6], [0.5, -0.25], [1000]];
const SHAPES = [[2, 3], [2], []];
const INT_BASE = [1, 2, 3];

const ranks = (n: number): number[] => Array.from({ length: n }, (_, r) => r + 1);

function expectTensors(actual: unknown, values: number[][], dtype: string, shapes: number[][]): void {
  expect(actual).toEqual(values.map((v, i): TensorReport => ({ shape: shapes[i] ?? [], dtype, values: v })));
}

function checkSums(run: ClusterRun, n: number): void {
  expect(run.timedOut).toBe(false);
  expect(run.tasks).toHaveLength(n);
  const sum = (b: number): number => ranks(n).reduce((acc, k) => acc + b * k, 0);
  for (const task of run.tasks) {
    const result = eventOf(task, 'result');
    expect(eventOf(task, 'started')).toMatchObject({ rank: task.index, size: n, device: `/job:worker/replica:0/task:${task.index}/device:CPU:0` });
    expectTensors(result['sums'], BASES.map((row) => row.map(sum)), 'float32', SHAPES);
    expectTensors(result['maxes'], BASES.map((row) => row.map((b) => Math.max(...ranks(n).map((k) => b * k)))), 'float32', SHAPES);
    expectTensors(result['means'], BASES.map((row) => row.map((b) => Math.fround(sum(b) / n))), 'float32', SHAPES);
    expectTensors(result['intSums'], [INT_BASE.map(sum)], 'int32', [[3]]);
    // Rank r offers [[r, 10r]] and 100(r + 1): gathered in rank order, the scalars stacked.
    expectTensors(
      result['gathered'],
      [Array.from({ length: n }, (_, r) => [r, 10 * r]).flat(), ranks(n).map((k) => 100 * k)],
      'float32',
      [[n, 2], [n]],
    );
    // Rank n-1 broadcasts: fill([2, 2], 10 * n) and [n-1, -(n-1)].
    expect(result['from']).toBe(n - 1);
    expectTensors(result['broadcast'], [[10 * n, 10 * n, 10 * n, 10 * n], [n - 1, -(n - 1)]], 'float32', [[2, 2], [2]]);
    // The collectives made exactly their results, and once those are disposed nothing is left.
    expect(result['made']).toBe(result['results']);
    expect(eventOf(task, 'leaks')['tensors']).toBe(0);
    expect(task.exitCode, task.stderr.slice(-2000)).toBe(0);
  }
}

const START = { startTimeoutMs: 20_000, heartbeatTimeoutMs: 3_000 };

describe('a cluster of worker processes in a private network namespace', () => {
  it('2 workers all-reduce (sum, max, mean, int32), all-gather and broadcast exactly', async () => {
    checkSums(await runCluster({ workers: 2, mode: 'sums', basePort: 24100, deadlineMs: 60_000, options: START }), 2);
  });

  it('3 workers all-reduce, all-gather and broadcast exactly', async () => {
    checkSums(await runCluster({ workers: 3, mode: 'sums', basePort: 24100, deadlineMs: 60_000, options: START }), 3);
  });

  it('a worker killed with kill -9 makes every other fail within seconds, naming it', async () => {
    const run = await runCluster({
      workers: 3,
      mode: 'loop',
      basePort: 24100,
      deadlineMs: 60_000,
      killTask: 1,
      killAfterStep: 20,
      options: START,
    });
    expect(run.timedOut).toBe(false);
    expect(run.killedAt).toBeTypeOf('number');
    const survivors = run.tasks.filter((t: TaskRun) => t.index !== 1);
    expect(survivors).toHaveLength(2);
    for (const task of survivors) {
      const error = eventOf(task, 'error');
      expect(error['distributed']).toBe(true);
      // The killed worker is always named. On a loaded machine the other survivor may have failed and exited
      // before this one's peer check, and is then named too (in task order); no one else ever is.
      const killed = '/job:worker/replica:0/task:1';
      const other = survivors.find((t: TaskRun) => t.index !== task.index)!;
      const lost = error['lostTasks'] as string[];
      expect(lost, JSON.stringify(lost)).toContain(killed);
      expect(lost.filter((name) => name !== killed), JSON.stringify(lost)).toEqual(lost.length > 1 ? [`/job:worker/replica:0/task:${other.index}`] : []);
      expect(error['message']).toMatch(/^all-reduce failed on worker \d \(127\.0\.0\.1:\d+\): lost (worker \d \(127\.0\.0\.1:\d+\), )?worker 1 \(127\.0\.0\.1:24101\)/);
      expect(task.exitCode).toBe(3);
      // Within the heartbeat timeout and the peer check, with room for a loaded machine.
      expect((task.endedAt ?? Number.POSITIVE_INFINITY) - run.killedAt!).toBeLessThan(START.heartbeatTimeoutMs + 7_000);
    }
  });

  it('a hung worker (SIGSTOP) is detected by heartbeats: the others fail within the heartbeat timeout, naming it', async () => {
    const run = await runCluster({
      workers: 2,
      mode: 'loop',
      basePort: 24100,
      deadlineMs: 60_000,
      killTask: 1,
      killAfterStep: 20,
      killSignal: 'SIGSTOP',
      options: START,
    });
    expect(run.timedOut).toBe(false);
    const [task] = run.tasks.filter((t: TaskRun) => t.index === 0);
    const error = eventOf(task!, 'error');
    expect(error['message']).toMatch(/^all-reduce failed on worker 0 \(127\.0\.0\.1:24100\): lost worker 1 \(127\.0\.0\.1:24101\)/);
    expect(error['lostTasks']).toEqual(['/job:worker/replica:0/task:1']);
    // Heartbeats, then the health check that names it (2 s), with room for a loaded machine.
    expect((task!.endedAt ?? Number.POSITIVE_INFINITY) - run.killedAt!).toBeLessThan(START.heartbeatTimeoutMs + 10_000);
  });

  it("abort() makes TensorFlow fail this worker's next collective at once with the reason, and its peer's too", async () => {
    const run = await runCluster({ workers: 2, mode: 'abort', basePort: 24100, deadlineMs: 60_000, options: START });
    expect(run.timedOut).toBe(false);
    const aborted = eventOf(run.tasks[1]!, 'after-abort');
    expect(aborted).toMatchObject({ ok: false, distributed: true });
    expect(aborted['message']).toMatch(/^all-reduce failed on worker 1 \(127\.0\.0\.1:24101\): every peer still answers.*the test aborts/s);
    // No wait on the peer: the health check of a live peer and TensorFlow's refusal are both quick.
    expect(aborted['ms']).toBeLessThan(3_000);
    // The peer was waiting in the same collective: TensorFlow hands it the reason, from task 1.
    const error = eventOf(run.tasks[0]!, 'error');
    expect(error['message']).toMatch(/^all-reduce failed on worker 0 .*the test aborts.*task:1/s);
    expect(run.tasks[0]!.exitCode).toBe(3);
  });

  it('SIGTERM still ends a worker, though TensorFlow installs a handler that would swallow it', async () => {
    const run = await runCluster({
      workers: 2,
      mode: 'idle',
      basePort: 24100,
      deadlineMs: 40_000,
      killTask: 1,
      killOnEvent: 'idle',
      killSignal: 'SIGTERM',
      options: START,
    });
    expect(run.timedOut).toBe(false);
    const victim = run.tasks[1]!;
    expect(victim.signal).toBe('SIGTERM');
    expect((victim.endedAt ?? Number.POSITIVE_INFINITY) - run.killedAt!).toBeLessThan(3_000);
    expect(victim.events.map((e) => e.ev)).not.toContain('idle-ended');
  });

  it("SIGTERM reaches the process's own listener, added before startWorker (where a trainer checkpoints)", async () => {
    const run = await runCluster({
      workers: 2,
      mode: 'idle-listening',
      basePort: 24100,
      deadlineMs: 40_000,
      killTask: 1,
      killOnEvent: 'idle',
      killSignal: 'SIGTERM',
      options: START,
    });
    expect(run.timedOut).toBe(false);
    const victim = run.tasks[1]!;
    expect(eventOf(victim, 'sigterm')['at']).toBeLessThan(run.killedAt! + 3_000);
    expect(victim.exitCode).toBe(0);
  });

  it('a worker that never starts makes the others fail at start-up, naming it, within the start timeout', async () => {
    const startTimeoutMs = 4_000;
    const run = await runCluster({ workers: 2, mode: 'sums', basePort: 24100, deadlineMs: 40_000, omit: [1], options: { startTimeoutMs } });
    expect(run.timedOut).toBe(false);
    const [task] = run.tasks;
    const failed = eventOf(task!, 'start-failed');
    expect(failed['message']).toMatch(/^worker 0 \(127\.0\.0\.1:24100\) could not join the cluster \(not up: worker 1 \(127\.0\.0\.1:24101\)\)/);
    expect(failed['lostTasks']).toEqual(['/job:worker/replica:0/task:1']);
    expect(failed['ms']).toBeLessThan(startTimeoutMs + 6_000);
    expect(task!.exitCode).toBe(2);
  });

  it('a missing coordination leader is named too', async () => {
    const startTimeoutMs = 4_000;
    const run = await runCluster({ workers: 2, mode: 'sums', basePort: 24100, deadlineMs: 40_000, omit: [0], options: { startTimeoutMs } });
    expect(run.timedOut).toBe(false);
    const failed = eventOf(run.tasks[0]!, 'start-failed');
    expect(failed['message']).toMatch(/^worker 1 \(127\.0\.0\.1:24101\) could not join the cluster \(not up: worker 0 \(127\.0\.0\.1:24100\)\)/);
    expect(failed['lostTasks']).toEqual(['/job:worker/replica:0/task:0']);
    // TensorFlow retries its registration once before it gives up.
    expect(failed['ms']).toBeLessThan(2 * startTimeoutMs + 8_000);
  });
});
