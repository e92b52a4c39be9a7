import { describe, expect, it } from 'vitest';

import { type ClusterRun, eventOf, runCluster } from './cluster/harness.js';

// core's train with { distributed } on real clusters (worker.mjs's 'train' mode), each in a private network
// namespace: 2 and 3 workers end with the weights and per-epoch losses of one process that trains on the
// whole of each global batch, though every rank but 0 built its model from other weights.

type Weights = number[][];
type History = Record<string, number>[];

const START = { startTimeoutMs: 30_000, heartbeatTimeoutMs: 5_000 };
// float32 sums in another order (shards, then the all-reduce): a few ulps a step (1.5e-8 measured over these 10 steps).
const TOLERANCE = 1e-6;

function maxDifference(a: number[], b: number[]): number {
  expect(a).toHaveLength(b.length);
  return a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i]!) / Math.max(1, Math.abs(b[i]!))), 0);
}

function checkTraining(run: ClusterRun, n: number, compiled = false): void {
  expect(run.timedOut).toBe(false);
  expect(run.tasks).toHaveLength(n);
  const single = eventOf(run.tasks[0]!, 'single');
  const expectedWeights = single['weights'] as Weights;
  const expectedHistory = single['history'] as History;
  expect(single['steps']).toBe(10);
  const chief = eventOf(run.tasks[0]!, 'trained')['weights'] as Weights;
  for (const task of run.tasks) {
    const trained = eventOf(task, 'trained');
    expect(trained['steps']).toBe(10);
    expect(trained['leaked']).toBe(0);
    const events = trained['compileEvents'] as Array<{ status: string; reason?: string; batchShape?: number[] }>;
    if (compiled) {
      // One function per shard shape: the full batches, and the short last batch.
      expect(events.filter((e) => e.status !== 'compiled'), JSON.stringify(events)).toEqual([]);
      expect(events.length).toBeGreaterThanOrEqual(2);
    } else {
      expect(events).toEqual([]);
    }
    const weights = trained['weights'] as Weights;
    // Every worker applied the same updates: bit-identical to each other.
    expect(weights).toEqual(chief);
    const difference = maxDifference(weights.flat(), expectedWeights.flat());
    console.log(`${n} workers, rank ${task.index}: largest weight difference from one process ${difference.toExponential(2)}`);
    expect(difference).toBeLessThan(TOLERANCE);
    const history = trained['history'] as History;
    expect(history.map(Object.keys)).toEqual(expectedHistory.map(Object.keys));
    const values = (h: History): number[] => h.flatMap((epoch) => Object.values(epoch));
    expect(maxDifference(values(history), values(expectedHistory))).toBeLessThan(TOLERANCE);
    expect(task.exitCode, task.stderr.slice(-2000)).toBe(0);
  }
  // Training moved the weights, and the other ranks' own initial weights were replaced by rank 0's.
  const initials = run.tasks.map((task) => eventOf(task, 'trained')['initial'] as Weights);
  expect(chief).not.toEqual(initials[0]);
  for (const other of initials.slice(1)) expect(other).not.toEqual(initials[0]);
}

describe('train({ distributed }) on a cluster in a private network namespace', () => {
  it('2 workers match one process on the same global batches over 10 steps', async () => {
    checkTraining(await runCluster({ workers: 2, mode: 'train', basePort: 24300, deadlineMs: 90_000, options: START }), 2);
  });

  it('3 workers, sharing the short last batch unevenly, match one process too', async () => {
    checkTraining(await runCluster({ workers: 3, mode: 'train', basePort: 24310, deadlineMs: 90_000, options: START }), 3);
  });

  it('2 workers with compiled steps (the all-reduce inside the function) match one compiled process', async () => {
    checkTraining(await runCluster({ workers: 2, mode: 'train-compiled', basePort: 24320, deadlineMs: 120_000, options: START }), 2, true);
  });

  it('3 workers with compiled steps, the short last batch shared unevenly, match one compiled process', async () => {
    checkTraining(await runCluster({ workers: 3, mode: 'train-compiled', basePort: 24330, deadlineMs: 120_000, options: START }), 3, true);
  });
});
