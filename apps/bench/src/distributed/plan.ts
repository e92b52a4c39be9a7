// Which clusters the distributed section runs (pure; unit-tested). On one 2-core machine, 2 and 3 workers
// share the cores, so their rows measure the overhead of data parallelism, not a speed-up; the 1-worker
// rows at smaller batches give the estimate the per-worker compute time N machines would each spend.
import { W1 } from '../workload.js';
import type { ClusterTask } from './task.js';

export interface ClusterPlan {
  id: string;
  /** 'local': N workers on this machine at W1's global batch; 'compute': 1 worker at a per-worker batch. */
  kind: 'local' | 'compute';
  task: ClusterTask;
}

/** W1's batch rounded down to a multiple of `workers`, so every worker trains on the same number of rows. */
export function globalBatchFor(workers: number): number {
  return W1.batchSize - (W1.batchSize % workers);
}

/** The worker counts the estimate covers: their per-worker batches of W1's 128 are measured on one worker. */
export const ESTIMATE_WORKERS = [1, 2, 4, 8] as const;

export function clusterPlans(quick: boolean): ClusterPlan[] {
  const timing = quick
    ? { steps: 10, warmup: 2, budgetMs: 3000, allReduceRepeats: 5 }
    : { steps: 30, warmup: 3, budgetMs: 8000, allReduceRepeats: 20 };
  const local = [1, 2, 3].map<ClusterPlan>((workers) => ({
    id: `workers-${workers}`,
    kind: 'local',
    task: { workers, globalBatch: globalBatchFor(workers), ...timing },
  }));
  const compute = ESTIMATE_WORKERS.filter((n) => n > 1).map<ClusterPlan>((n) => ({
    id: `batch-${W1.batchSize / n}`,
    kind: 'compute',
    task: { workers: 1, globalBatch: W1.batchSize / n, ...timing, allReduceRepeats: 0 },
  }));
  return [...local, ...compute];
}
