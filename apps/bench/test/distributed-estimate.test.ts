import { describe, expect, it } from 'vitest';

import { computeMsForEfficiency, ringAllReduceMs, strongScaling, weakScalingSpeedUp, type Network } from '../src/distributed/estimate.js';
import { clusterPlans, globalBatchFor } from '../src/distributed/plan.js';
import { perWorkerBatch } from '../src/distributed/task.js';
import { DISTRIBUTED_ID, knownIds, selectDistributed } from '../src/plans.js';

// 8 Gb/s is 1 MB per ms: easy sums.
const NET: Network = { name: 'test', gbitPerSecond: 8, latencyUs: 100 };

describe('the ring all-reduce model', () => {
  it('costs nothing on one machine, and 2(N-1) latencies plus 2(N-1)/N of the bytes on N', () => {
    expect(ringAllReduceMs(1e6, 1, NET)).toBe(0);
    // 2 machines: 2 messages (0.2 ms) and all the bytes once (1 ms).
    expect(ringAllReduceMs(1e6, 2, NET)).toBeCloseTo(1.2, 10);
    // 4 machines: 6 messages (0.6 ms) and 1.5x the bytes (1.5 ms).
    expect(ringAllReduceMs(1e6, 4, NET)).toBeCloseTo(2.1, 10);
  });

  it('strong scaling divides one machine\'s step by the per-worker step plus the all-reduce', () => {
    const compute = new Map([
      [128, 20],
      [64, 11],
      [32, 6],
    ]);
    const rows = strongScaling(compute, 1e6, 128, [1, 2, 4, 8], [NET]);
    // 8 machines need batch 16, which was not measured: left out rather than guessed.
    expect(rows.map((r) => r.workers)).toEqual([1, 2, 4]);
    expect(rows[0]!.perNetwork[0]).toMatchObject({ allReduceMs: 0, stepMs: 20, speedUp: 1 });
    expect(rows[1]!.perNetwork[0]!.stepMs).toBeCloseTo(12.2, 10);
    expect(rows[1]!.perNetwork[0]!.speedUp).toBeCloseTo(20 / 12.2, 10);
    expect(rows[2]!.perNetwork[0]!.speedUp).toBeCloseTo(20 / 8.1, 10);
    expect(strongScaling(new Map([[64, 11]]), 1e6, 128, [1, 2], [NET])).toEqual([]);
  });

  it('weak scaling and the compute a step needs for a given efficiency agree with each other', () => {
    const need = computeMsForEfficiency(1e6, 4, NET, 0.8);
    expect(need).toBeCloseTo(4 * 2.1, 10);
    // At exactly that compute time, 4 machines give 80% of 4x.
    expect(weakScalingSpeedUp(need, 1e6, 4, NET)).toBeCloseTo(3.2, 10);
    expect(weakScalingSpeedUp(10, 1e6, 1, NET)).toBe(1);
    expect(() => computeMsForEfficiency(1e6, 4, NET, 1)).toThrow(/efficiency must be in \(0, 1\)/);
  });
});

describe('the distributed plans', () => {
  it('runs 1, 2 and 3 local workers on W1\'s batch split evenly, and one worker at each batch the estimate needs', () => {
    const plans = clusterPlans(false);
    const local = plans.filter((p) => p.kind === 'local');
    expect(local.map((p) => [p.task.workers, p.task.globalBatch])).toEqual([
      [1, 128],
      [2, 128],
      [3, 126],
    ]);
    expect(plans.filter((p) => p.kind === 'compute').map((p) => [p.task.workers, p.task.globalBatch])).toEqual([
      [1, 64],
      [1, 32],
      [1, 16],
    ]);
    // A compiled step traces during its first step: every plan has warm-up.
    for (const p of [...plans, ...clusterPlans(true)]) expect(p.task.warmup).toBeGreaterThanOrEqual(2);
    expect(globalBatchFor(5)).toBe(125);
    expect(perWorkerBatch({ workers: 3, globalBatch: 126 })).toBe(42);
    expect(() => perWorkerBatch({ workers: 3, globalBatch: 128 })).toThrow(/does not split evenly among 3 workers/);
  });

  it('is on by default, off with --no-distributed, and picked by --only distributed', () => {
    expect(knownIds()).toContain(DISTRIBUTED_ID);
    expect(selectDistributed({ only: null, distributed: true })).toBe(true);
    expect(selectDistributed({ only: null, distributed: false })).toBe(false);
    expect(selectDistributed({ only: ['native'], distributed: true })).toBe(false);
    expect(selectDistributed({ only: ['native', 'distributed'], distributed: true })).toBe(true);
  });
});
